"""Every write function checks mode and role itself: a refusal changes neither the reports folder nor the store,
and every add and remove, allowed or not, is one audit record."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from evaldash import access, audit, imports, limits, store, worker
from tests.conftest import folder_state
from tests.seedtools import derive

EDITOR = {"email": "suisin@city.example.jp", "is_logged_in": True}
VIEWER = {"email": "giin@city.example.jp", "is_logged_in": True}
LOOPBACK = "127.0.0.1"


@pytest.fixture
def data(reports_dir, tmp_path, monkeypatch):
    """A built store beside a copy of the reports, an audit log of its own, and editors named in the environment."""
    db = tmp_path / "evaldash.duckdb"
    store.build(reports_dir, db)
    log = tmp_path / "audit.log"
    monkeypatch.setenv("EVALDASH_AUDIT_LOG", str(log))
    monkeypatch.setenv("EVALDASH_EDITORS", EDITOR["email"])
    monkeypatch.delenv("EVALDASH_EDITOR_GROUPS", raising=False)
    return reports_dir, db, log


def state(reports, db) -> tuple:
    return folder_state(reports), audit.digests([db])


def r2(seed_text) -> list[tuple[str, bytes]]:
    return [("tomakomai_R2.txt", derive(seed_text, 2020).encode())]


def attempts(seed_text, reports, db, actor):
    """Each way the dashboard and the command line write, for one actor."""
    path = reports.parent / "upload.txt"
    path.write_bytes(r2(seed_text)[0][1])
    return [
        ("add_sources", lambda: imports.add_sources(r2(seed_text), reports, db, actor=actor)),
        ("add_files", lambda: imports.add_files([path], reports, db, actor=actor)),
        ("remove_source", lambda: imports.remove_source("tomakomai_R1.txt", reports, db, actor=actor)),
        ("add_uploads", lambda: worker.add_uploads(r2(seed_text), reports, db, actor=actor)),
    ]


REFUSED = [
    ("read-only", EDITOR, LOOPBACK, "読み取り専用"),
    ("signed-in", VIEWER, LOOPBACK, "閲覧者"),
    ("signed-in", {}, LOOPBACK, "サインイン"),
    ("open", {}, "0.0.0.0", "読み取り専用で起動"),
]


@pytest.mark.parametrize("mode, identity, address, reason", REFUSED, ids=["read-only", "viewer", "nobody", "open-0.0.0.0"])
def test_refused_writes_change_nothing_but_the_log(data, seed_text, monkeypatch, mode, identity, address, reason):
    reports, db, log = data
    monkeypatch.setenv("EVALDASH_MODE", mode)
    actor = access.dashboard_actor(identity, address)
    before = state(reports, db)
    for name, attempt in attempts(seed_text, reports, db, actor):
        outcome = attempt()
        assert not outcome.ok, name
        assert any(reason in f.message for f in outcome.findings), (name, [f.message for f in outcome.findings])
        assert state(reports, db) == before, f"{name} changed the data"
    records = audit.read(log).records
    assert len(records) == 4
    assert {r["outcome"] for r in records} == {"refused"}
    assert {r["action"] for r in records} == {"add", "remove"}
    assert all(reason in r["findings"][0] for r in records)
    assert records[-1]["files"][0]["sha256"] == audit.file_info(*r2(seed_text)[0])["sha256"]


def test_a_folder_this_server_cannot_write_is_refused(data, seed_text, monkeypatch):
    """A viewer replica mounts the data read-only: the kernel says no to writing there (faked here for the two
    folders, since the tests may run as root, for whom permission bits do not count)."""
    reports, db, log = data
    monkeypatch.setenv("EVALDASH_MODE", "signed-in")
    before = state(reports, db)
    real = os.access
    monkeypatch.setattr(access.os, "access", lambda path, mode: False if Path(path) in (reports, db.parent) else real(path, mode))
    outcome = imports.add_sources(r2(seed_text), reports, db, actor=access.dashboard_actor(EDITOR, LOOPBACK))
    assert not outcome.ok and "読み取り専用" in outcome.findings[0].message
    assert state(reports, db) == before
    assert audit.read(log).records[0]["who"] == EDITOR["email"]


@pytest.mark.parametrize("mode, identity, who", [("signed-in", EDITOR, EDITOR["email"]), ("open", {}, "open")])
def test_an_editor_and_open_on_loopback_add_and_remove(data, seed_text, monkeypatch, mode, identity, who):
    reports, db, log = data
    monkeypatch.setenv("EVALDASH_MODE", mode)
    actor = access.dashboard_actor(identity, LOOPBACK)
    # Next year's report that also revises a value of this year's and brings a measure of its own.
    upload = [("tomakomai_R2.txt", derive(seed_text, 2020, revise={"女性人材バンク登録者数": {2019: "70"}},
                                          copy_measure=("1110321", "1110399")).encode())]
    added = worker.add_uploads(upload, reports, db, actor=actor)
    assert added.ok, [str(f) for f in added.findings]
    assert (reports / "tomakomai_R2.txt").is_file()
    removed = imports.remove_source("tomakomai_R2.txt", reports, db, actor=actor)
    assert removed.ok and not (reports / "tomakomai_R2.txt").exists()
    remove, add = audit.read(log).records
    assert (add["action"], add["outcome"], add["who"]) == ("add", "done", who)
    assert (remove["action"], remove["outcome"], remove["who"]) == ("remove", "done", who)
    assert add["files"] == [audit.file_info(*upload[0])]
    assert remove["files"][0]["sha256"] == add["files"][0]["sha256"]
    counts = add["changes"]["counts"]
    assert counts["new_fiscal_years"] == len(add["changes"]["new_fiscal_years"]) >= 1
    assert counts["new_values"] >= 1
    assert counts["revised_values"] >= 1 and counts["new_measures"] == 1, counts
    # The removal took away what the addition brought, and put back the values the addition had revised.
    taken = remove["changes"]
    assert taken["counts"] == {"removed_measures": counts["new_measures"],
                               "removed_fiscal_years": counts["new_fiscal_years"],
                               "removed_values": counts["new_values"], "reverted_values": counts["revised_values"]}
    assert taken["removed_fiscal_years"] == add["changes"]["new_fiscal_years"]
    assert [(r["indicator"], r["fiscal_label"], r["old_value"], r["new_value"]) for r in taken["reverted_values"]] == [
        (r["indicator"], r["fiscal_label"], r["new_value"], r["old_value"]) for r in add["changes"]["revised_values"]]


def test_the_command_line_is_audited_under_the_os_user(data, seed_text, monkeypatch):
    reports, db, log = data
    monkeypatch.setenv("EVALDASH_MODE", "read-only")  # the operator's tool: not role-checked
    path = reports.parent / "tomakomai_R2.txt"
    path.write_bytes(r2(seed_text)[0][1])
    assert imports.add_files([path], reports, db, actor=access.cli_actor()).ok
    bad = imports.add_sources([("broken.txt", b"\x00 not a report")], reports, db, actor=access.cli_actor())
    assert not bad.ok
    refused, done = audit.read(log).records
    assert done["who"] == refused["who"] == access.cli_name()
    assert (done["outcome"], refused["outcome"]) == ("done", "refused")
    assert refused["findings"] and refused["files"][0]["name"] == "broken.txt"


def test_a_build_that_fails_is_recorded_as_rolled_back(data, seed_text, monkeypatch):
    reports, db, log = data
    monkeypatch.setenv("EVALDASH_MODE", "open")
    before = state(reports, db)

    def fail(*args, **kwargs):
        raise store.BuildError([limits.whole_file("x.txt", "作成できません")])

    monkeypatch.setattr(store, "build", fail)
    outcome = imports.add_sources(r2(seed_text), reports, db, actor=access.dashboard_actor({}, LOOPBACK))
    assert not outcome.ok and state(reports, db) == before
    entry = audit.read(log).records[0]
    assert (entry["outcome"], entry["who"]) == ("rolled back", "open")
    assert entry["changes"]["counts"]["new_values"] >= 1

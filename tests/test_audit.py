"""The audit log (evaldash/audit.py) and `python -m evaldash log`."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pytest

from evaldash import audit, imports, store

from .conftest import REPORTS, ROOT, SEED

WHEN = datetime(2026, 4, 1, 0, 30, tzinfo=timezone.utc)


def test_record_fields_and_newest_first(tmp_path):
    log = tmp_path / "audit.log"
    data = b"report text"
    audit.record("add", "suisin@city.example.jp", "done", log, files=[audit.file_info("r2.txt", data)], now=WHEN)
    audit.record("remove", "cli:ops", "refused", log, findings=["x.txt:0: error: no such source"])
    audit.record("rebuild", "open", "done", log, cause="outside", digests={"indicator_meta.csv": "ab" * 32})
    got = audit.read(log)
    assert got.problems == []
    assert [r["action"] for r in got.records] == ["rebuild", "remove", "add"]
    first = got.records[-1]
    assert first["when"] == "2026-04-01T00:30:00+00:00"
    assert first["files"] == [{"name": "r2.txt", "kind": "report", "sha256": hashlib.sha256(data).hexdigest(), "size": 11}]
    assert got.records[1]["findings"] == ["x.txt:0: error: no such source"]
    assert got.records[0]["cause"] == "outside" and got.records[0]["digests"] == {"indicator_meta.csv": "ab" * 32}
    assert audit.file_info("t.xlsx", b"")["kind"] == "template"


def test_bad_action_or_outcome_is_refused(tmp_path):
    with pytest.raises(ValueError):
        audit.make_record("delete", "open", "done")
    with pytest.raises(ValueError):
        audit.make_record("add", "open", "ok")


def test_truncated_last_line_is_reported_and_the_rest_read(tmp_path):
    log = tmp_path / "audit.log"
    audit.record("add", "a", "done", log)
    audit.record("add", "b", "done", log)
    whole = log.read_bytes()
    log.write_bytes(whole[: len(whole) - 9])  # the second record cut mid-line, as by a crash
    got = audit.read(log)
    assert [r["who"] for r in got.records] == ["a"]
    assert len(got.problems) == 1 and "2 行目" in got.problems[0] and "途中で切れ" in got.problems[0]
    # The next record starts on its own line: the cut one stays one unreadable line.
    audit.record("remove", "c", "done", log)
    again = audit.read(log)
    assert [r["who"] for r in again.records] == ["c", "a"]
    assert len(again.problems) == 1 and "2 行目" in again.problems[0] and "JSON" in again.problems[0]


def test_the_log_is_read_once_per_version_and_again_after_each_record(tmp_path):
    log = tmp_path / "audit.log"
    audit.record("add", "a", "done", log)
    first = audit.read(log)
    assert audit.read(log) is first  # unchanged: the page's rerun does not decode it again
    audit.record("remove", "b", "done", log)
    assert [r["who"] for r in audit.read(log).records] == ["b", "a"]


def test_missing_log_reads_empty(tmp_path):
    got = audit.read(tmp_path / "none.log")
    assert got.records == [] and got.problems == []


def _append_many(args):
    path, who, n = args
    for k in range(n):
        audit.record("rebuild", who, "done", Path(path), digests={f"f{k}.txt": "0" * 64 * 20})
    return n


def test_appends_from_several_processes_never_interleave(tmp_path):
    log = tmp_path / "audit.log"
    with multiprocessing.get_context("fork").Pool(4) as pool:
        pool.map(_append_many, [(str(log), f"p{k}", 50) for k in range(4)])
    got = audit.read(log)
    assert got.problems == []
    assert len(got.records) == 200
    assert {r["who"] for r in got.records} == {"p0", "p1", "p2", "p3"}


def test_changes_from_a_real_preview(tmp_path):
    """The record keeps what the preview shows: a revised value with its old and new figure."""
    folder = tmp_path / "reports"
    folder.mkdir()
    seed = REPORTS / "tomakomai_R1.txt"
    (folder / seed.name).write_bytes(seed.read_bytes())
    text = seed.read_text(encoding="utf-8")
    _, preview = imports.check_and_preview("tomakomai_R1_copy.txt", text.encode("utf-8"), folder)
    changes = audit.changes_from_preview(preview)
    json.dumps(changes)  # plain JSON
    assert set(changes) == {"counts", "new_measures", "new_fiscal_years", "new_values", "revised_values"}
    assert len(changes["new_values"]) == len(preview["new_values"]) == changes["counts"]["new_values"]
    assert changes["counts"]["revised_values"] == len(preview["revised_values"])
    assert len(changes["revised_values"]) == len(preview["revised_values"])
    frame = pd.DataFrame({"indicator": ["女性人材バンク登録者数"], "fiscal_label": ["R1"], "old_value": [68.0],
                          "new_value": [6800.0], "source_file": ["x.txt"]})
    revised = audit.changes_from_preview({"revised_values": frame, "new_fiscal_years": pd.DataFrame(
        {"fiscal_year": [2020], "fiscal_label": ["R2"]})})
    assert revised["revised_values"][0]["old_value"] == 68.0 and revised["revised_values"][0]["new_value"] == 6800.0
    assert revised["new_fiscal_years"] == ["R2"]
    assert audit.changes_from_preview({"new_values": pd.DataFrame({"value": [pd.NA, 1.5]})})["new_values"] == [
        {"value": None}, {"value": 1.5}]
    many = audit.changes_from_preview({"new_values": pd.DataFrame({"value": range(audit.LISTED_ROWS + 5)})})
    assert len(many["new_values"]) == audit.LISTED_ROWS and many["counts"]["new_values"] == audit.LISTED_ROWS + 5


def test_a_value_json_has_no_type_for_is_recorded_as_its_text(tmp_path):
    log = tmp_path / "audit.log"
    dated = pd.DataFrame({"when": [pd.Timestamp("2026-04-01"), pd.NaT], "value": [1.5, float("nan")]})
    audit.record("add", "staff@city.example", "done", path=log,
                 changes=audit.changes_from_preview({"new_values": dated}))
    (entry,) = audit.read(log).records
    assert entry["changes"]["new_values"] == [{"when": "2026-04-01 00:00:00", "value": 1.5},
                                              {"when": None, "value": None}]


def test_log_command_prints_newest_first_and_reports_a_cut_line(tmp_path):
    log = tmp_path / "audit.log"
    frame = {"revised_values": [{"indicator": "女性人材バンク登録者数", "fiscal_label": "R1", "old_value": 68, "new_value": 6800}]}
    audit.record("add", "suisin@city.example.jp", "done", log, files=[audit.file_info("r2.txt", b"x")], changes=frame)
    audit.record("remove", "cli:ops", "rolled back", log, findings=["r2.txt:3: error: bad"])
    audit.record("rebuild", "open", "done", log, digests={"r1.txt": "ab" * 32}, cause="outside")
    with open(log, "ab") as fh:
        fh.write(b'{"when": "2026')
    run = subprocess.run([sys.executable, "-m", "evaldash", "log", "--log", str(log)], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    # In the 取込 page's words, newest first: what changed and why on lines of their own, and a rebuild's inputs.
    assert lines[0].endswith("open  作り直し  完了") and lines[1] == f"    r1.txt SHA-256 {'ab' * 32}"
    assert lines[2].endswith("cli:ops  取り除き  取り消し（元のまま）") and lines[3] == "    理由: r2.txt:3: error: bad"
    assert "suisin@city.example.jp  追加  完了  r2.txt（1 バイト、SHA-256 " in lines[4]
    assert lines[5] == "    変わったこと: 女性人材バンク登録者数 R1: 68 → 6800"
    assert "4 行目" in run.stderr and "途中で切れ" in run.stderr
    as_json = subprocess.run([sys.executable, "-m", "evaldash", "log", "--json", "--limit", "1"], cwd=ROOT,
                             capture_output=True, text=True, timeout=60, env={**os.environ, "EVALDASH_AUDIT_LOG": str(log)})
    assert [json.loads(line)["who"] for line in as_json.stdout.splitlines()] == ["open"]


def test_digests_of_the_inputs(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a.txt").write_bytes(b"a")
    got = audit.digests(store.source_files(folder) + [tmp_path / "missing.csv"])
    assert got == {"a.txt": hashlib.sha256(b"a").hexdigest()}



def test_every_rebuild_records_the_digests_of_the_files_it_read(tmp_path, monkeypatch):
    # A page view's rebuild and the command line's name the same inputs; a missing metadata file was not read.
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / SEED.name).write_bytes(SEED.read_bytes())
    monkeypatch.setenv("EVALDASH_META", str(tmp_path / "indicator_meta.csv"))
    monkeypatch.setenv("EVALDASH_AUDIT_LOG", str(tmp_path / "audit.log"))
    store.ensure_store(folder, tmp_path / "outside.duckdb", who="open")
    store.audited_build(folder, tmp_path / "command.duckdb", None, "cli:ops", cause="command")
    command, outside = audit.read(tmp_path / "audit.log").records
    assert (outside["cause"], command["cause"]) == ("outside", "command")
    assert outside["digests"] == command["digests"] == {SEED.name: hashlib.sha256(SEED.read_bytes()).hexdigest()}

def test_a_rebuild_for_files_changed_outside_is_recorded_with_digests(tmp_path, monkeypatch):
    folder = tmp_path / "reports"
    folder.mkdir()
    seed = REPORTS / "tomakomai_R1.txt"
    (folder / seed.name).write_bytes(seed.read_bytes())
    meta = tmp_path / "indicator_meta.csv"
    meta.write_text((ROOT / "data" / "indicator_meta.csv").read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv("EVALDASH_META", str(meta))
    db, log = tmp_path / "evaldash.duckdb", tmp_path / "audit.log"
    monkeypatch.setenv("EVALDASH_AUDIT_LOG", str(log))
    store.build(folder, db)
    assert not store.ensure_store(folder, db, who="open").built  # nothing changed: no rebuild, no record
    assert audit.read(log).records == []
    # A report copied in by hand (a second year, made by the test from the bundled one).
    second = folder / "tomakomai_copy.txt"
    second.write_bytes(seed.read_bytes())
    meta.write_text(meta.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert store.ensure_store(folder, db, who="suisin@city.example.jp").built
    (entry,) = audit.read(log).records
    assert (entry["action"], entry["outcome"], entry["cause"], entry["who"]) == (
        "rebuild", "done", "outside", "suisin@city.example.jp")
    assert entry["changes"]["files_added"] == ["tomakomai_copy.txt"]
    assert entry["digests"] == {seed.name: hashlib.sha256(seed.read_bytes()).hexdigest(),
                                "tomakomai_copy.txt": hashlib.sha256(seed.read_bytes()).hexdigest(),
                                "indicator_meta.csv": hashlib.sha256(meta.read_bytes()).hexdigest()}
    # A broken report copied in: the build is refused, recorded with its findings, the store kept.
    (folder / "broken.txt").write_bytes(b"\xff\xfe not a report")
    with pytest.raises(store.BuildError):
        store.ensure_store(folder, db, who="open")
    refused = audit.read(log).records[0]
    assert refused["outcome"] == "refused" and refused["findings"] and "broken.txt" in refused["changes"]["files_added"]

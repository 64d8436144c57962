"""A store remembers what it was built from; a command given --db reads that store, never another folder's numbers."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys

import pytest

from evaldash import access, store
from tests.conftest import REPORTS, ROOT, digest, folder_state, run_cli
from tests.seedtools import derive

CLI = access.cli_actor()  # the operator on the server: not role-checked

TEMPLATE_HEADER = ["municipality", "policy_no", "policy_name", "measure_id", "indicator", "unit", "fiscal_year", "value",
                   "report_year"]


def _other_city_template(path):
    rows = [
        ["白老市", 1, "地域活動の促進", "1110101", "町内会加入率", "%", 2018, 51.5, 2019],
        ["白老市", 1, "地域活動の促進", "1110101", "町内会加入率", "%", 2019, 50.2, 2019],
    ]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([TEMPLATE_HEADER, *rows])


@pytest.fixture
def next_year_folder(tmp_path, seed_text):
    """Two report years of 苫小牧市 and one city's template: not the bundled folder."""
    folder = tmp_path / "next" / "reports"
    folder.mkdir(parents=True)
    shutil.copy(REPORTS / "tomakomai_R1.txt", folder)
    (folder / "tomakomai_R2.txt").write_text(
        derive(seed_text, 2020, revise={"女性人材バンク登録者数": {2020: "75"}}), encoding="utf-8")
    _other_city_template(folder / "shiraoi.csv")
    return folder


@pytest.fixture
def other_db(next_year_folder):
    db = next_year_folder.parent / "other.duckdb"
    store.build(next_year_folder, db)
    return db


def _exported(done) -> list[dict]:
    assert done.returncode == 0, done.stderr
    return list(csv.DictReader(io.StringIO(done.stdout)))


def _values(rows, name, year) -> set[str]:
    return {r["value"] for r in rows if r["indicator"] == name and r["fiscal_year"] == str(year)}


def test_export_with_db_reads_that_store_not_the_default_folder(other_db):
    before = digest(other_db)
    rows = _exported(run_cli("export", "--db", other_db))
    assert digest(other_db) == before  # used as it is: not rebuilt from data/reports
    assert {r["municipality"] for r in rows} == {"苫小牧市", "白老市"}
    assert _values(rows, "女性人材バンク登録者数", 2020) == {"75.0"}  # R2 is only in the store's own folder
    assert _values(rows, "町内会加入率", 2019) >= {"50.2"}


def test_a_store_records_its_folder_relative_to_itself_and_each_source_digest(other_db, next_year_folder):
    meta = store.read_meta(other_db)
    assert meta["source_folder"] == "reports"
    assert set(json.loads(meta["sources"])) == {"tomakomai_R1.txt", "tomakomai_R2.txt", "shiraoi.csv"}
    assert json.loads(meta["sources"])["shiraoi.csv"] == digest(next_year_folder / "shiraoi.csv")


def test_changed_sources_rebuild_from_the_stores_own_folder_and_say_so(other_db, next_year_folder):
    with open(next_year_folder / "shiraoi.csv", "a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerow(["白老市", 1, "地域活動の促進", "1110101", "町内会加入率", "%", 2020, 49.9, 2019])
    done = run_cli("export", "--db", other_db)
    rows = _exported(done)
    assert "作り直しました" in done.stderr and str(next_year_folder) in done.stderr
    assert _values(rows, "町内会加入率", 2020) == {"49.9"}
    assert _values(rows, "女性人材バンク登録者数", 2020) == {"75.0"}  # still its own folder's reports


def test_a_different_reports_folder_is_refused_and_the_store_kept(other_db, tmp_path):
    before = digest(other_db)
    for command in (["export"], ["deck", "--out", tmp_path / "d.pptx"]):
        done = run_cli(*command, "--db", other_db, "--reports", REPORTS)
        assert done.returncode == 1
        assert "作り直しません" in done.stderr and "Traceback" not in done.stderr
    assert digest(other_db) == before
    assert not (tmp_path / "d.pptx").exists()


def test_deck_with_db_uses_that_store(other_db, tmp_path):
    before = digest(other_db)
    done = run_cli("deck", "--out", tmp_path / "d.pptx", "--db", other_db)
    assert done.returncode == 0, done.stderr
    assert digest(other_db) == before and (tmp_path / "d.pptx").stat().st_size > 0


def test_a_named_store_that_does_not_exist_is_not_built_from_the_default_folder(tmp_path):
    done = run_cli("export", "--db", tmp_path / "none.duckdb")
    assert done.returncode == 1 and "build --reports" in done.stderr
    assert not (tmp_path / "none.duckdb").exists()


def test_copies_with_new_file_times_are_not_a_change(other_db, next_year_folder):
    identity = store.store_identity(other_db)
    for p in next_year_folder.iterdir():
        os.utime(p, ns=(p.stat().st_atime_ns, p.stat().st_mtime_ns + 10**9))
    fresh = store.ensure_store(db=other_db, who="test")
    assert not fresh.stale and not fresh.built
    assert store.store_identity(other_db) == identity


def test_a_moved_data_folder_still_names_its_reports(other_db, next_year_folder, tmp_path):
    moved = tmp_path / "moved"
    shutil.move(next_year_folder.parent, moved)
    fresh = store.freshness(moved / "other.duckdb")
    assert fresh.folder == (moved / "reports").resolve() and not fresh.stale


def _read_only(folder, *command) -> subprocess.CompletedProcess:
    """Run a command with `folder` mounted read-only over itself (a viewer replica's data mount)."""
    if shutil.which("unshare") is None:
        pytest.fail("unshare (util-linux) is needed to mount a folder read-only")
    script = 'mount --bind -o ro "$0" "$0" && exec "$@"'
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(["unshare", "-rm", "sh", "-c", script, str(folder), *map(str, command)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_a_read_only_data_folder_serves_the_store_there_and_says_it_is_older(other_db, next_year_folder):
    (next_year_folder / "tomakomai_R2.txt").write_text(
        (next_year_folder / "tomakomai_R2.txt").read_text(encoding="utf-8").replace("\t75\t", "\t76\t"),
        encoding="utf-8")
    data = next_year_folder.parent
    before = folder_state(data)
    done = _read_only(data, sys.executable, "-m", "evaldash", "export", "--db", other_db)
    rows = _exported(done)
    assert "報告書より古い" in done.stderr and "書き込めない" in done.stderr
    assert _values(rows, "女性人材バンク登録者数", 2020) == {"75.0"}  # the store that is there
    assert folder_state(data) == before  # no lock file, no temp store, nothing rebuilt


def test_the_dashboards_default_store_builds_from_the_default_folder(tmp_path, monkeypatch):
    folder = tmp_path / "reports"
    shutil.copytree(REPORTS, folder)
    monkeypatch.setenv("EVALDASH_REPORTS", str(folder))
    monkeypatch.setenv("EVALDASH_DB", str(tmp_path / "s.duckdb"))
    assert store.ensure_store(fallback=store.reports_dir(), who="test").built
    assert store.freshness(tmp_path / "s.duckdb").folder == folder.resolve()


def test_after_an_add_the_store_matches_its_folder_without_hashing(reports_dir, tmp_path, seed_text):
    from evaldash import imports

    db = tmp_path / "s.duckdb"
    store.build(reports_dir, db)
    outcome = imports.add_sources([("tomakomai_R2.txt", derive(seed_text, 2020).encode())], reports_dir, db, actor=CLI)
    assert outcome.ok, outcome.findings
    # The upload was built from its staging folder, then linked in: the cheap check already sees it as the same.
    assert store.read_meta(db)["fingerprint"] == store.fingerprint(reports_dir)
    assert not store.freshness(db).stale

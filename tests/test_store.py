"""The DuckDB store: tables, the flat export contract, filters, exports read back, atomic replacement."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from evaldash import model, sql, store, template
from evaldash.export import flat_csv_bytes
from tests.conftest import REPORTS, ROOT, SEED, digest, run_cli
from tests.seedtools import derive
from tests.test_parse_golden import INDICATORS

TEXT_COLUMNS = [c for c, t in model.TABLE_TYPES["flat_indicators"].items() if t == "VARCHAR"]


def flat(db) -> pd.DataFrame:
    con = store.connect_readonly(db)
    try:
        return con.execute("SELECT * FROM flat_indicators").df()
    finally:
        con.close()


def rows(frame: pd.DataFrame, columns=None) -> list[tuple]:
    """Rows as plain values, sorted: numbers as float, missing as None, text as str."""
    columns = columns or model.FLAT_COLUMNS

    def plain(v):
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return None
        return v if isinstance(v, str) else float(v)

    return sorted(tuple(plain(v) for v in rec) for rec in frame[columns].itertuples(index=False))


def read_csv(data) -> pd.DataFrame:
    return pd.read_csv(data, dtype={c: "string" for c in TEXT_COLUMNS}, keep_default_na=False, na_values=[""])


# -- tables ---------------------------------------------------------------------------------------------

def test_table_counts(store_db):
    con = store.connect_readonly(store_db)
    from_reports = [t for t in model.TABLE_TYPES if t not in ("indicator_meta", "meta")]
    counts = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in from_reports}
    assert counts == {
        "reports": 1, "policies": 4, "initiatives": 10, "measures": 15, "measure_departments": 16,
        "actions": 44, "directions": 25, "indicators": 25, "observations": 50, "revisions": 0,
        "report_changes": 0, "indicator_changes": 25, "flat_indicators": 50,
    }


def test_every_column_has_its_declared_type_even_in_empty_tables(store_db):
    con = store.connect_readonly(store_db)
    for table, types in model.TABLE_TYPES.items():
        got = dict(con.execute(f'SELECT column_name, column_type FROM (DESCRIBE "{table}")').fetchall())
        assert got == types, table


def test_flat_names_and_descriptions_follow_the_declared_flat_table():
    assert model.FLAT_COLUMNS == list(model.TABLE_TYPES["flat_indicators"])
    assert all(label and doc for label, doc in model.FLAT_TABLE.values())


def test_flat_table_is_the_documented_contract(store_db):
    frame = flat(store_db)
    assert list(frame.columns) == model.FLAT_COLUMNS
    assert len(frame) == 50
    assert set(frame["municipality"]) == {"苫小牧市"}
    assert set(frame["report_year"]) == {2019}
    assert set(zip(frame["fiscal_year"], frame["fiscal_label"])) == {(2018, "H30年度"), (2019, "R1年度")}
    assert set(frame["source_file"]) == {"tomakomai_R1.txt"}


def test_flat_values_match_the_golden_table(store_db):
    frame = flat(store_db)
    for measure_id, name, unit, h30, r1, line in INDICATORS:
        got = frame[(frame["measure_id"] == measure_id) & (frame["indicator"] == name)].sort_values("fiscal_year")
        assert list(got["unit"]) == [unit, unit], name
        assert list(got["source_line"]) == [line, line], name
        for (_, row), expected in zip(got.iterrows(), (h30, r1)):
            if expected is None:
                assert pd.isna(row["value"]) and row["value_status"] == "no_value", name
            else:
                assert row["value"] == pytest.approx(expected) and row["value_status"] == "reported", name
    noted = frame[frame["indicator"].str.contains("男女平等参画都市宣言")]
    assert list(noted["note"]) == ["※令和3年度調査予定(平成27年度 40%)"] * 2
    bank = frame[frame["indicator"] == "女性人材バンク登録者数"]
    assert list(bank["source_line"]) == [256, 256]


def test_department_filter_finds_both_departments_of_1110421(store_db):
    con = store.connect_readonly(store_db)
    assert list(sql.run(con, "measure_list", {"dept": ["福祉部"]})["measure_id"]) == ["1110421"]
    found = sql.run(con, "flat", {"dept": ["福祉部"]})
    assert set(found["measure_id"]) == {"1110421"}
    assert set(found["indicator"]) == {"原爆パネル展来場者数", "平和祈念式典来場者数"}
    assert len(found) == 4
    assert set(found["departments"]) == {"総合政策部 政策推進課 / 福祉部 総合福祉課"}
    assert "1110421" in set(sql.run(con, "measure_list", {"dept": ["総合政策部"]})["measure_id"])
    assert list(sql.run(con, "measure_list", {"sec": ["総合福祉課"]})["measure_id"]) == ["1110421"]
    depts = con.execute("SELECT dept, section FROM measure_departments WHERE measure_id = '1110421' ORDER BY ord")
    assert depts.fetchall() == [("総合政策部", "政策推進課"), ("福祉部", "総合福祉課")]


def test_raw_text_is_stored_beside_the_corrected_text(store_db):
    con = store.connect_readonly(store_db)
    action = con.execute("SELECT text, text_raw FROM actions WHERE text LIKE '%LINE公式%'").fetchone()
    assert action == ("苫小牧市LINE公式アカウントの導入 (3月9日運用開始)", "苦小牧市LINE公式アカウントの導入 (3月9日運用開始)")
    direction = con.execute("SELECT text, text_raw FROM directions WHERE measure_id = '1110421' AND ord = 1").fetchone()
    assert direction[0].startswith("苫小牧市関係戦没者") and direction[1].startswith("苦小牧市関係戦没者")
    ind = con.execute("SELECT indicator, indicator_raw FROM indicators WHERE measure_id = '1110331'").fetchone()
    assert ind == ("ワークライフバランス等企業表彰", "ワークライフバランス等企业表彰")


# -- exports read back ----------------------------------------------------------------------------------

def test_cli_csv_export_reads_back_to_the_same_rows(store_db):
    done = run_cli("export", "--db", store_db, "--reports", REPORTS)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == ",".join(model.FLAT_COLUMNS)
    back = read_csv(io.StringIO(done.stdout))
    assert len(back) == 50
    assert rows(back) == rows(flat(store_db))


def test_flat_csv_bytes_reads_back_to_the_same_rows(store_db):
    data = flat_csv_bytes(flat(store_db))
    assert data.startswith("\ufeff".encode())  # Excel opens it as UTF-8
    back = read_csv(io.BytesIO(data[3:]))
    assert rows(back) == rows(flat(store_db))


def test_parquet_export_reads_back_to_the_same_rows_and_types(store_db, tmp_path):
    out = tmp_path / "flat.parquet"
    done = run_cli("export", "--format", "parquet", "--out", out, "--db", store_db, "--reports", REPORTS)
    assert done.returncode == 0, done.stderr
    back = pd.read_parquet(out)
    assert list(back.columns) == model.FLAT_COLUMNS
    assert rows(back) == rows(flat(store_db))
    assert back["value"].dtype == "float64" and back["fiscal_year"].dtype == "int64"


def test_template_round_trip_gives_the_same_flat_rows(store_db, tmp_path):
    folder = tmp_path / "from_template"
    folder.mkdir()
    csv = folder / "tomakomai_flat.csv"
    done = run_cli("export", "--out", csv, "--db", store_db, "--reports", REPORTS)
    assert done.returncode == 0, done.stderr

    reports, findings = template.read_template(csv)
    assert findings == []
    assert [(r.municipality, r.report_year, r.report_label) for r in reports] == [("苫小牧市", 2019, "R1年度")]
    assert sum(1 for _ in reports[0].measures()) == 15

    db = tmp_path / "t.duckdb"
    store.build(folder, db)
    same = [c for c in model.FLAT_COLUMNS if c not in ("source_file", "source_line")]  # they name the template
    assert rows(flat(db), same) == rows(flat(store_db), same)
    assert set(flat(db)["source_file"]) == {"tomakomai_flat.csv"}


def test_japanese_headers_export_reads_back_and_re_imports_as_the_same_rows(store_db, tmp_path):
    ja = [label for label, _ in model.FLAT_TABLE.values()]
    data = flat_csv_bytes(flat(store_db), headers="ja")
    assert data.decode("utf-8-sig").splitlines()[0] == ",".join(ja)
    back = pd.read_csv(io.BytesIO(data[3:]), keep_default_na=False, na_values=[""],
                       dtype={label: "string" for c, (label, _) in model.FLAT_TABLE.items() if c in TEXT_COLUMNS})
    assert list(back.columns) == ja
    assert rows(back.set_axis(model.FLAT_COLUMNS, axis=1)) == rows(flat(store_db))

    folder = tmp_path / "from_template"
    folder.mkdir()
    csv = folder / "tomakomai_flat_ja.csv"
    done = run_cli("export", "--headers", "ja", "--out", csv, "--db", store_db, "--reports", REPORTS)
    assert done.returncode == 0, done.stderr
    assert csv.read_text(encoding="utf-8").splitlines()[0] == ",".join(ja)
    reports, findings = template.read_template(csv)
    assert findings == []
    db = tmp_path / "t.duckdb"
    store.build(folder, db)
    same = [c for c in model.FLAT_COLUMNS if c not in ("source_file", "source_line")]  # they name the template
    assert rows(flat(db), same) == rows(flat(store_db), same)


def test_japanese_headers_in_parquet_and_excel(store_db, tmp_path):
    ja = [label for label, _ in model.FLAT_TABLE.values()]
    for fmt in ("parquet", "xlsx"):
        out = tmp_path / f"flat.{fmt}"
        done = run_cli("export", "--format", fmt, "--headers", "ja", "--out", out, "--db", store_db,
                       "--reports", REPORTS)
        assert done.returncode == 0, done.stderr
        back = pd.read_parquet(out) if fmt == "parquet" else pd.read_excel(out, sheet_name="data")
        assert list(back.columns) == ja
        assert rows(back.set_axis(model.FLAT_COLUMNS, axis=1), ["indicator_id", "fiscal_year", "value"]) == rows(
            flat(store_db), ["indicator_id", "fiscal_year", "value"])


# -- indicator ids ----------------------------------------------------------------------------------------

def _two_cities(folder):
    """The seed report and the same report as another city's: the same 施策番号 and indicator names."""
    folder.mkdir()
    text = SEED.read_text(encoding="utf-8")
    (folder / "tomakomai.txt").write_text(text, encoding="utf-8")
    (folder / "other.txt").write_text(text.replace("苫小牧市", "白老市").replace("苦小牧市", "白老市"), encoding="utf-8")


def test_indicator_ids_are_unique_across_cities(tmp_path):
    _two_cities(tmp_path / "reports")
    db = tmp_path / "s.duckdb"
    store.build(tmp_path / "reports", db)
    con = store.connect_readonly(db)
    try:
        ids = con.execute("SELECT municipality, measure_id, indicator_id FROM indicators").fetchall()
    finally:
        con.close()
    assert {m for m, _, _ in ids} == {"苫小牧市", "白老市"} and len(ids) == 2 * len(INDICATORS)
    assert len({i for _, _, i in ids}) == len(ids)  # the same 施策 and name in two cities: two ids
    assert all(re.fullmatch(rf"{measure}~[0-9a-f]{{16}}", i) for _, measure, i in ids)


def test_two_indicators_given_one_id_stop_the_build(tmp_path, monkeypatch):
    _two_cities(tmp_path / "reports")
    db = tmp_path / "s.duckdb"
    store.build(tmp_path / "reports", db)
    before = digest(db)
    # As if the hash left the city out: the second city's indicators (苫小牧市 sorts after 白老市) get the first's ids.
    real = model.indicator_id
    monkeypatch.setattr(model, "indicator_id", lambda muni, measure_id, name: real("", measure_id, name))
    with pytest.raises(store.BuildError) as exc:
        store.build(tmp_path / "reports", db)
    [finding] = exc.value.findings
    assert finding.file == "tomakomai.txt" and finding.line > 0 and finding.severity == "error"
    assert "（苫小牧市）の指標" in finding.message and "（白老市）の指標と同じです" in finding.message
    assert "指標ごとに別の ID が必要です" in finding.message
    assert digest(db) == before  # the old store stays


# -- building and replacing -----------------------------------------------------------------------------

def test_failed_build_leaves_the_old_store_byte_identical(reports_dir, tmp_path):
    db = tmp_path / "s.duckdb"
    store.build(reports_dir, db)
    before, ident = digest(db), store.store_identity(db)
    (reports_dir / "broken.txt").write_text(SEED.read_text(encoding="utf-8").replace("\t47\t68", "\t47\tabc"),
                                            encoding="utf-8")
    with pytest.raises(store.BuildError) as exc:
        store.build(reports_dir, db)
    assert any(f.file == "broken.txt" and f.line == 256 and "数値ではありません" in f.message for f in exc.value.findings)
    assert digest(db) == before
    assert store.store_identity(db) == ident
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["s.duckdb", "s.duckdb.lock"]


def test_a_reader_keeps_its_store_while_a_build_replaces_it(reports_dir, tmp_path, seed_text):
    db = tmp_path / "s.duckdb"
    store.build(reports_dir, db)
    old = store.connect_readonly(db)
    assert old.execute("SELECT max(fiscal_year) FROM flat_indicators").fetchone() == (2019,)

    (reports_dir / "tomakomai_R2.txt").write_text(derive(seed_text, 2020), encoding="utf-8")
    done = run_cli("build", "--reports", reports_dir, "--db", db)
    assert done.returncode == 0, done.stderr

    # The old connection still reads the store it opened ...
    assert old.execute("SELECT count(*), max(fiscal_year) FROM flat_indicators").fetchone() == (50, 2019)
    # ... and a connection opened now reads the new one, even while the old one is open.
    new = store.connect_readonly(db)
    assert new.execute("SELECT count(*), max(fiscal_year) FROM flat_indicators").fetchone() == (75, 2020)
    assert list(sql.run(new, "measure_list", {"dept": ["福祉部"]})["measure_id"]) == ["1110421"]
    assert old.execute("SELECT count(*) FROM measures").fetchone() == (15,)
    old.close()
    new.close()


def test_a_killed_build_leaves_the_previous_store_valid(reports_dir, tmp_path, seed_text):
    db = tmp_path / "s.duckdb"
    store.build(reports_dir, db)
    before = digest(db)
    (reports_dir / "tomakomai_R2.txt").write_text(derive(seed_text, 2020), encoding="utf-8")
    # A build that stops for good while it writes the new store beside the old one.
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from evaldash import store\n"
        "real = store._load_indicator_meta\n"
        "def stall(con, path):\n"
        "    real(con, path)\n"
        "    print('writing', flush=True)\n"
        "    time.sleep(300)\n"
        "store._load_indicator_meta = stall\n"
        "store.build(Path(sys.argv[1]), Path(sys.argv[2]))\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script, str(reports_dir), str(db)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "writing", proc.stderr.read()
        temps = list(tmp_path.glob(".s.duckdb.*.tmp"))
        assert temps, "the build writes beside the store"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert digest(db) == before
    con = store.connect_readonly(db)
    assert con.execute("SELECT count(*), max(fiscal_year) FROM flat_indicators").fetchone() == (50, 2019)
    con.close()

    store.build(reports_dir, db)  # the next build succeeds and clears the leftover
    assert not list(tmp_path.glob(".s.duckdb.*.tmp"))
    assert flat(db)["fiscal_year"].max() == 2020


def test_ensure_store_builds_when_missing_or_older_than_the_reports(reports_dir, tmp_path, seed_text):
    db = tmp_path / "s.duckdb"
    assert store.ensure_store(reports_dir, db, who="test").built
    assert not store.ensure_store(reports_dir, db, who="test").built
    ident = store.store_identity(db)
    (reports_dir / "tomakomai_R2.txt").write_text(derive(seed_text, 2020), encoding="utf-8")
    assert store.freshness(db, reports_dir).stale
    assert store.ensure_store(reports_dir, db, who="test").built
    assert store.store_identity(db) != ident
    assert store.read_meta(db)["schema_version"] == str(store.SCHEMA_VERSION)


def test_build_from_an_empty_folder_is_an_error_and_writes_nothing(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(store.BuildError) as exc:
        store.build(tmp_path / "empty", tmp_path / "s.duckdb")
    assert "報告書（*.txt）もテンプレート" in exc.value.findings[0].message
    assert not (tmp_path / "s.duckdb").exists()


def test_readonly_connection_cannot_write_or_read_other_files(store_db, tmp_path):
    con = store.connect_readonly(store_db)
    with pytest.raises(Exception):
        con.execute("DELETE FROM store.measures")
    outside = tmp_path / "x.csv"
    outside.write_text("a\n1\n")
    with pytest.raises(Exception):
        con.execute("SELECT * FROM read_csv($p)", {"p": str(outside)}).fetchall()
    assert con.execute("SELECT count(*) FROM measures").fetchone() == (15,)


def test_build_is_quick_on_the_bundled_report(tmp_path):
    start = time.perf_counter()
    store.build(REPORTS, tmp_path / "s.duckdb")
    assert time.perf_counter() - start < 10



def test_store_files_are_written_in_small_row_groups(tmp_path):
    # A filter on the sorted municipality column skips whole row groups: they must be small (store.ROW_GROUP_SIZE).
    # write_store opens its file with store.open_new.
    import duckdb

    db = tmp_path / "s.duckdb"
    rows = 3 * store.ROW_GROUP_SIZE + 1
    con = store.open_new(db)
    try:
        con.execute("CREATE TABLE big AS SELECT i // 1000 AS municipality, i AS n FROM range($rows) t(i)", {"rows": rows})
        con.execute("CHECKPOINT store")
    finally:
        con.close()
    con = duckdb.connect(str(db), read_only=True)
    try:
        groups = con.execute(
            "SELECT count(DISTINCT row_group_id), max(count) FROM pragma_storage_info('big') WHERE column_name = 'n'"
        ).fetchone()
        assert con.execute("SELECT count(*), sum(n) FROM big").fetchone() == (rows, rows * (rows - 1) // 2)
    finally:
        con.close()
    assert groups[0] == 4 and groups[1] <= store.ROW_GROUP_SIZE

"""The benchmark's generator and runner work (issue 6). Figures are never asserted here."""

import json
import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import generate as gen  # noqa: E402
from evaldash.parse import parse_file  # noqa: E402
from evaldash import store  # noqa: E402


def test_generated_report_parses_with_the_planned_counts(tmp_path):
    spec = gen.CorpusSpec("tiny", munis=2, years=[2019, 2020], indicators=40, seed=7)
    expected = gen.write_corpus(spec, tmp_path)
    assert sorted(expected) == ["m0000_R1.txt", "m0000_R2.txt", "m0001_R1.txt", "m0001_R2.txt"]
    for name, want in expected.items():
        report = parse_file(tmp_path / name)
        assert [f for f in report.findings if f.severity == "error"] == []
        got = gen.parsed_counts(report)
        assert got == want
        assert got["municipality"] == gen.municipality_name(int(name[1:5]))
    # The latest report of each municipality holds exactly the indicators asked for.
    assert expected["m0000_R2.txt"]["indicators"] == 40
    assert expected["m0001_R2.txt"]["indicators"] == 40
    assert expected["m0000_R1.txt"]["report_year"] == 2019


def test_generator_is_deterministic(tmp_path):
    spec = gen.CorpusSpec("tiny", munis=1, years=[2019], indicators=25, seed=11)
    gen.write_corpus(spec, tmp_path / "a")
    gen.write_corpus(spec, tmp_path / "b")
    assert (tmp_path / "a" / "m0000_R1.txt").read_bytes() == (tmp_path / "b" / "m0000_R1.txt").read_bytes()
    other = gen.CorpusSpec("tiny", munis=1, years=[2019], indicators=25, seed=12)
    gen.write_corpus(other, tmp_path / "c")
    assert (tmp_path / "a" / "m0000_R1.txt").read_bytes() != (tmp_path / "c" / "m0000_R1.txt").read_bytes()


def test_generated_text_has_the_report_layout(tmp_path):
    spec = gen.CorpusSpec("tiny", munis=1, years=[2019], indicators=60, seed=3)
    gen.write_corpus(spec, tmp_path)
    text = (tmp_path / "m0000_R1.txt").read_text(encoding="utf-8")
    for marker in ("運営方針01 ", "\n施策番号\t", "\n担当部・課\t", "\t反映区分\t", "具体的な取組 (R1年度)\t<ul",
                   "評価指標 (事業実績)\t指標名\t単位\tH30年度\tR1年度", "今後の取組の方向性\t", "\n主な取組\n"):
        assert marker in text, marker


def test_merge_of_report_years_is_exercised(tmp_path):
    spec = gen.CorpusSpec("tiny", munis=1, years=[2019, 2020, 2021], indicators=400, seed=5)
    gen.write_corpus(spec, tmp_path / "reports")
    result = store.build(tmp_path / "reports", tmp_path / "s.duckdb")
    assert result.reports == 3
    import duckdb

    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM revisions").fetchone()[0] > 0
        kinds = {r[0] for r in con.execute("SELECT DISTINCT kind FROM report_changes").fetchall()}
        assert "reflection_changed" in kinds
    finally:
        con.close()


def test_national_store_has_the_built_schema_and_runs_every_query(tmp_path):
    from evaldash import sql

    ref = tmp_path / "reports"
    gen.write_corpus(gen.CorpusSpec("ref", munis=1, years=[2019, 2020], indicators=200), ref)
    store.build(ref, tmp_path / "ref.duckdb")
    info = gen.write_national(tmp_path / "nat.duckdb", munis=3)
    assert info["rows"]["flat_indicators"] == 3 * 300 * 10
    assert gen.table_schemas(tmp_path / "nat.duckdb") == gen.table_schemas(tmp_path / "ref.duckdb")
    import duckdb

    with duckdb.connect(str(tmp_path / "nat.duckdb"), read_only=True) as nat:  # ids as model.indicator_id makes them
        assert nat.execute("SELECT count(DISTINCT indicator_id) = count(*), min(length(indicator_id)) = 24, "
                           "max(length(indicator_id)) = 24 FROM indicators").fetchone() == (True, True, True)
    con = store.connect_readonly(tmp_path / "nat.duckdb")
    try:
        import run  # bench/run.py

        variants, extra = run.filter_variants(con)
        extra.pop("_info")
        for name in sql.names():
            if sql.load(name).params - run.KNOWN_PARAMS:
                continue
            for f in variants.values():
                sql.run(con, name, {**f, **extra})
        # Written as store.build writes: 9,000 flat rows in two row groups.
        groups = con.execute("SELECT count(DISTINCT row_group_id), max(count) "
                             "FROM pragma_storage_info('store.main.flat_indicators') "
                             "WHERE column_name = 'municipality'").fetchone()
        assert groups == (2, store.ROW_GROUP_SIZE)
    finally:
        con.close()


def test_run_smoke(tmp_path):
    results = tmp_path / "results.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--smoke", "--out", str(tmp_path / "out"),
         "--results", str(results)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = json.loads(results.read_text(encoding="utf-8"))
    assert set(data["ingest"]) == {"seed", "x1", "x10"}
    assert all(r["parse_errors"] == 0 for r in data["ingest"].values())
    assert set(data["queries"]["x10"]["queries"]) == set(__import__("evaldash.sql", fromlist=["names"]).names())
    assert "## Named queries" in proc.stdout
    # The page hook ran (AppTest against the bare floor) or said why not; figures are not checked.
    pages = data["pages"]
    assert "skipped" in pages or "pages" in pages["x1"] or "error" in pages["x1"]

"""`python -m evaldash build | check | add | remove | export`, run as a user would, into tmp_path."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from evaldash import access, model, store
from tests.conftest import REPORTS, SEED, digest, folder_state, run_cli
from tests.seedtools import derive

CLI = access.cli_actor()


@pytest.fixture
def built(reports_dir, tmp_path):
    db = tmp_path / "cli.duckdb"
    done = run_cli("build", "--reports", reports_dir, "--db", db)
    assert done.returncode == 0, done.stderr
    return reports_dir, db


def count(db, sql="SELECT count(*) FROM flat_indicators"):
    con = store.connect_readonly(db)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def test_build_reports_progress_and_writes_the_store(reports_dir, tmp_path):
    db = tmp_path / "cli.duckdb"
    done = run_cli("build", "--reports", reports_dir, "--db", db)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "[1/1] tomakomai_R1.txt" in done.stderr
    assert "cli.duckdb を作成しました: 報告書 1 件、50 行" in done.stderr
    assert count(db) == 50
    assert folder_state(reports_dir) == folder_state(REPORTS)  # build never writes to the folder


def test_build_with_a_bad_report_fails_and_keeps_the_store(built, seed_text):
    reports_dir, db = built
    before = digest(db)
    (reports_dir / "zz_bad.txt").write_text(seed_text.replace("\t47\t68", "\t47\t6 8 x"), encoding="utf-8")
    done = run_cli("build", "--reports", reports_dir, "--db", db)
    assert done.returncode == 1
    assert "zz_bad.txt:256: エラー: " in done.stderr
    assert "作成できませんでした: データは変わっていません" in done.stderr
    assert digest(db) == before


def test_check_several_files(tmp_path, seed_text):
    good = tmp_path / "good.txt"
    good.write_text(seed_text, encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_text(seed_text.replace("\t350\t740", "\t350\t七百四十"), encoding="utf-8")
    done = run_cli("check", good, bad)
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        f"{bad}:354: エラー: 「原爆パネル展来場者数」 R1年度: 「七百四十」 は数値ではありません（1,365、- または空欄のように書きます）"
    ]
    assert f"{good}: 問題ありません" in done.stderr


def test_check_a_relative_path_prints_it_as_given(tmp_path, seed_text):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "bad.txt").write_text(seed_text.replace("\t47\t68", "\tx\t68"), encoding="utf-8")
    done = run_cli("check", "sub/bad.txt", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout.startswith("sub/bad.txt:256: エラー: ")


def test_add_copies_the_file_unchanged_and_rebuilds(built, tmp_path, seed_text):
    reports_dir, db = built
    incoming = tmp_path / "incoming" / "tomakomai_R2.txt"
    incoming.parent.mkdir()
    incoming.write_bytes(derive(seed_text, 2020).replace("\n", "\r\n").encode("cp932", errors="replace"))
    done = run_cli("add", incoming, "--reports", reports_dir, "--db", db)
    assert done.returncode == 0, done.stderr
    assert "取り込みました: tomakomai_R2.txt" in done.stderr
    assert digest(reports_dir / "tomakomai_R2.txt") == digest(incoming)  # copied byte for byte
    assert digest(reports_dir / "tomakomai_R1.txt") == digest(SEED)  # the old report untouched
    assert count(db, "SELECT max(fiscal_year) FROM flat_indicators") == 2020
    assert count(db, "SELECT count(*) FROM reports") == 2
    assert count(db, "SELECT encoding FROM reports WHERE source_file = 'tomakomai_R2.txt'") == "cp932"


def test_remove_moves_the_file_aside_and_rebuilds(built, tmp_path, seed_text):
    reports_dir, db = built
    (reports_dir / "tomakomai_R2.txt").write_text(derive(seed_text, 2020), encoding="utf-8")
    assert run_cli("build", "--reports", reports_dir, "--db", db).returncode == 0
    assert count(db, "SELECT max(fiscal_year) FROM flat_indicators") == 2020

    done = run_cli("remove", "tomakomai_R2.txt", "--reports", reports_dir, "--db", db)
    assert done.returncode == 0, done.stderr
    assert not (reports_dir / "tomakomai_R2.txt").exists()
    kept = list((reports_dir.parent / "removed").glob("*_tomakomai_R2.txt"))
    assert len(kept) == 1 and "R2年度" in kept[0].read_text(encoding="utf-8")
    assert f"removed/{kept[0].name} に保管" in done.stderr
    assert count(db, "SELECT max(fiscal_year) FROM flat_indicators") == 2019

    done = run_cli("remove", "tomakomai_R1.txt", "--reports", reports_dir, "--db", db)
    assert done.returncode == 1
    assert "最後の1つは外せません" in done.stderr
    assert (reports_dir / "tomakomai_R1.txt").exists()

    done = run_cli("remove", "nothing.txt", "--reports", reports_dir, "--db", db)
    assert done.returncode == 1 and "この名前のファイルはありません" in done.stderr


def test_export_csv_to_stdout(built):
    reports_dir, db = built
    done = run_cli("export", "--reports", reports_dir, "--db", db)
    assert done.returncode == 0, done.stderr
    frame = pd.read_csv(io.StringIO(done.stdout), dtype={"measure_id": str})
    assert list(frame.columns) == model.FLAT_COLUMNS
    assert len(frame) == 50
    bank = frame[frame["indicator"] == "女性人材バンク登録者数"]
    assert list(zip(bank["fiscal_label"], bank["value"], bank["unit"])) == [("H30年度", 47, "人"), ("R1年度", 68, "人")]
    hp = frame[frame["indicator"] == "ホームページやSNSへのアクセス数"]
    assert list(hp["value"]) == [9_943_885, 9_100_327]


def test_export_csv_with_bom_to_a_file(built, tmp_path):
    reports_dir, db = built
    out = tmp_path / "flat.csv"
    done = run_cli("export", "--bom", "--out", out, "--reports", reports_dir, "--db", db)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"\xef\xbb\xbfmunicipality,report_year,")
    assert done.stdout == ""


def test_export_parquet_and_xlsx(built, tmp_path):
    reports_dir, db = built
    done = run_cli("export", "--format", "parquet", "--reports", reports_dir, "--db", db)
    assert done.returncode == 2 and "--out で書き出すファイルが必要です" in done.stderr

    out = tmp_path / "flat.parquet"
    assert run_cli("export", "--format", "parquet", "--out", out, "--reports", reports_dir, "--db", db).returncode == 0
    assert pd.read_parquet(out).shape == (50, len(model.FLAT_COLUMNS))

    out = tmp_path / "flat.xlsx"
    assert run_cli("export", "--format", "xlsx", "--out", out, "--reports", reports_dir, "--db", db).returncode == 0
    sheet = pd.read_excel(out, sheet_name="data", dtype={"measure_id": str})
    assert list(sheet.columns) == model.FLAT_COLUMNS and len(sheet) == 50
    assert set(sheet[sheet["indicator"] == "原爆パネル展来場者数"]["value"]) == {350, 740}


def test_export_builds_a_missing_store_first(reports_dir, tmp_path):
    db = tmp_path / "new" / "s.duckdb"
    done = run_cli("export", "--reports", reports_dir, "--db", db)
    assert done.returncode == 0, done.stderr
    assert db.exists()
    assert len(done.stdout.splitlines()) == 51


def test_usage_errors_exit_2():
    assert run_cli().returncode == 2
    assert run_cli("check").returncode == 2
    assert run_cli("export", "--format", "pdf").returncode == 2


def test_remove_puts_the_file_back_when_the_build_fails(built, seed_text, monkeypatch):
    from evaldash import imports

    reports_dir, db = built
    (reports_dir / "tomakomai_R2.txt").write_text(derive(seed_text, 2020), encoding="utf-8")
    before = folder_state(reports_dir)

    def broken_build(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(store, "build", broken_build)
    with pytest.raises(OSError):
        imports.remove_source("tomakomai_R2.txt", reports_dir, db, actor=CLI)
    assert folder_state(reports_dir) == before

"""Uploads (issue 16): any city's codes, bounds checked before parsing, names that cannot be a report's,
staging that a kill -9 cannot leave half-done, and limits that end a child process instead of the server."""

from __future__ import annotations

import dataclasses
import io
import os
import re
import signal
import subprocess
import sys
import time
import zipfile

import openpyxl
import pytest

from evaldash import access, imports, limits, store, template, worker
from evaldash.report import ParseError
from tests.conftest import REPORTS, ROOT, digest, folder_state, run_cli
from tests.seedtools import derive

CLI = access.cli_actor()  # the operator on the server: not role-checked

HEADER = "municipality,policy_no,policy_name,measure_id,indicator,unit,fiscal_year,value"


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return "\n".join([header, *rows]).encode()


def cells(reports):
    """(municipality, code, indicator, year, value, status) of every cell, sorted."""
    return sorted((r.municipality, m.measure_id, i.name, c.fiscal_year, c.value, c.status)
                  for r in reports for _, _, m in r.measures() for i in m.indicators for c in i.cells)


def errors(found, line=None):
    return [f for f in found if f.severity == "error" and (line is None or f.line == line)]


# -- §2 any city's codes ---------------------------------------------------------------------------------

def test_other_cities_codes_are_read_as_text():
    data = csv_bytes("白老町,1,まちづくり,0086,参加者数,人,2020,12",
                     "白老町,1,まちづくり,A-12,相談件数,件,2020,3",
                     "白老町,2,福祉,3-1-2,利用者数,人,2020,40",
                     "白老町,2,福祉,x_1.b,登録数,人,2020,5")
    reports, found = template.read_template_bytes(data, "shiraoi.csv")
    assert found == []
    assert {m.measure_id for r in reports for _, _, m in r.measures()} == {"0086", "A-12", "3-1-2", "x_1.b"}


def test_a_code_in_excel_keeps_its_leading_zeros():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(["白老町", 1, "まちづくり", "0086", "参加者数", "人", 2020, 12])
    sheet.append(["白老町", 1, "まちづくり", 87, "相談件数", "件", 2020, 3])
    sheet.cell(3, 4).number_format = "0000"  # shown as 0087
    out = io.BytesIO()
    book.save(out)
    reports, found = template.read_template_bytes(out.getvalue(), "shiraoi.xlsx")
    assert found == []
    assert sorted(m.measure_id for r in reports for _, _, m in r.measures()) == ["0086", "0087"]


@pytest.mark.parametrize("code", ["A 12", "施策1", "x" * 33, "1/2"])
def test_a_code_outside_the_rule_is_an_error_on_its_row(code):
    data = csv_bytes("白老町,1,まちづくり,0086,参加者数,人,2020,12", f"白老町,1,まちづくり,{code},相談件数,件,2020,3")
    found = imports.check_bytes(data, "shiraoi.csv")[1]
    assert [f.line for f in errors(found)] == [3]
    assert "英数字と - _ . だけの 32 文字までのコード" in errors(found)[0].message


def test_one_code_names_one_measure_in_a_municipality():
    data = csv_bytes("白老町,1,まちづくり,0086,参加者数,人,2020,12", "白老町,2,福祉,0086,利用者数,人,2020,3",
                     "登別市,2,福祉,0086,利用者数,人,2020,3")
    found = imports.check_bytes(data, "two.csv")[1]
    assert [(f.line, f.file) for f in errors(found)] == [(3, "two.csv")]
    assert "2 行目で別の運営方針" in errors(found)[0].message


@pytest.mark.parametrize("value, status", [("欠測", "no_value"), ("missing", "no_value"), ("MISSING", "no_value"),
                                           ("―", "no_value"), ("", "not_reported"), ("7", "reported")])
def test_missing_value_words(value, status):
    reports, found = template.read_template_bytes(csv_bytes(f"白老町,1,まちづくり,0086,参加者数,人,2020,{value}"), "m.csv")
    assert found == [] and [c[4:] for c in cells(reports)] == [(7.0 if value == "7" else None, status)]


def test_missing_as_a_status_word():
    header = HEADER + ",value_status"
    data = csv_bytes("白老町,1,まちづくり,0086,参加者数,人,2020,,欠測", "白老町,1,まちづくり,0086,参加者数,人,2021,5,missing",
                     header=header)
    found = imports.check_bytes(data, "m.csv")[1]
    assert [f.line for f in errors(found)] == [3]  # a number is not missing


# -- §4 the reader's half: the export's ' prefix and Japanese headers -------------------------------------

def test_the_formula_prefix_is_undone_and_a_real_apostrophe_kept():
    data = csv_bytes("白老町,1,'=まちづくり,0086,'+参加者数,人,2020,'-5", "白老町,1,'=まちづくり,0086,'s count,人,2020,1")
    reports, found = template.read_template_bytes(data, "f.csv")
    assert found == []
    assert reports[0].policies[0].name == "=まちづくり"
    assert [c[2:5] for c in cells(reports)] == [("'s count", 2020, 1.0), ("+参加者数", 2020, -5.0)]


@pytest.mark.parametrize("header", [
    "自治体,運営方針番号,運営方針,施策番号,指標,単位,年度（西暦）,値",
    "municipality（自治体）,policy_no,policy_name,measure_id,indicator,unit,fiscal_year,value（値）",
])
def test_japanese_headers_read_like_the_column_names(header):
    rows = ["白老町,1,まちづくり,0086,参加者数,人,2020,12", "白老町,1,まちづくり,0086,参加者数,人,2021,13"]
    english, _ = template.read_template_bytes(csv_bytes(*rows), "en.csv")
    japanese, found = template.read_template_bytes(csv_bytes(*rows, header=header), "ja.csv")
    assert found == [] and cells(japanese) == cells(english)


# -- §3 bounds before parsing ------------------------------------------------------------------------------

def test_an_unknown_column_is_a_warning_and_too_many_columns_an_error():
    row = "白老町,1,まちづくり,0086,参加者数,人,2020,12"
    reports, found = template.read_template_bytes(csv_bytes(row + ",x", header=HEADER + ",memo"), "u.csv")
    assert reports and [(f.line, f.severity) for f in found] == [(1, "warning")] and "'memo'" in found[0].message
    wide = HEADER + "".join(f",extra{k}" for k in range(limits.MAX_COLUMNS))
    with pytest.raises(ParseError) as caught:
        template.read_template_bytes(csv_bytes(row + "," * limits.MAX_COLUMNS, header=wide), "w.csv")
    assert caught.value.findings[0].line == 1 and f"{limits.MAX_COLUMNS} 列まで" in caught.value.findings[0].message


def test_too_many_rows_is_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_ROWS", 3)  # the count is the same code at any bound
    rows = [f"白老町,1,まちづくり,0086,指標{k},人,2020,{k}" for k in range(4)]
    assert template.read_template_bytes(csv_bytes(*rows[:3]), "ok.csv")[0]
    for name, data in [("big.csv", csv_bytes(*rows)), ("big.xlsx", xlsx_of(rows))]:
        found = imports.check_bytes(data, name)[1]
        assert [(f.line, f.file) for f in errors(found)] == [(0, name)]
        assert "ファイル全体" in str(found[0]) and "3 行まで" in found[0].message


def xlsx_of(rows: list[str]) -> bytes:
    book = openpyxl.Workbook()
    for row in [HEADER, *rows]:
        book.active.append(row.split(","))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zip_of(size: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _ in range(size // 2**20):
                member.write(b" " * 2**20)
    return out.getvalue()


@pytest.mark.parametrize("size, fragment", [(60 * 2**20, "52,428,800 バイトまで"), (2 * 2**20, "100 倍まで")])
def test_an_xlsx_that_would_inflate_too_far_is_refused_from_its_directory(size, fragment, monkeypatch):
    data = zip_of(size)
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda *a, **k: pytest.fail("a member was inflated"))
    found = imports.check_bytes(data, "bomb.xlsx")[1]
    assert len(found) == 1 and found[0].line == 0 and "ファイル全体" in str(found[0])
    assert fragment in found[0].message


def test_findings_are_one_per_problem_and_line_and_at_most_a_thousand():
    bad = [f"白老町,1,まちづくり,0086,指標{k},人,2020,x{k}" for k in range(1500)]
    found = imports.check_bytes(csv_bytes(*bad), "many.csv")[1]
    assert len(found) == limits.MAX_LISTED_FINDINGS + 1
    assert len(set(found)) == len(found)
    assert "ほかに 500 件の指摘" in found[-1].message and found[-1].severity == "error"
    dup = [template.Finding("x.csv", 3, "error", "same")] * 3
    assert limits.capped(dup) == dup[:1]


# -- §5 names ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, fragment", [
    ("tomakomai\x00_R2.txt", "制御文字"), ("tomakomai\n_R2.txt", "制御文字"), ("a" * 246 + ".txt", "250 文字"),
    ("TOMAKOMAI_R1.TXT", "大文字・小文字だけが違う"), ("../r2.txt", "名前だけが必要"),
])
def test_names_that_cannot_be_a_report_s(reports_dir, tmp_path, seed_text, name, fragment):
    db = tmp_path / "s.duckdb"
    store.build(reports_dir, db)
    before = folder_state(reports_dir)
    outcome = imports.add_sources([(name, derive(seed_text, 2020).encode())], reports_dir, db, actor=CLI)
    assert not outcome.ok
    assert any(fragment in f.message for f in outcome.findings), outcome.findings
    assert all("\n" not in str(f) and "\x00" not in str(f) for f in outcome.findings)
    assert folder_state(reports_dir) == before


def test_the_page_check_names_the_problem_too():
    found, preview = imports.check_and_preview("a\nb.txt", b"x", REPORTS)
    assert preview is None and "制御文字" in found[0].message and "\\n" in found[0].file


# -- staging: a kill -9 at any moment of add leaves the reports folder as it was -----------------------------

KILL_AT = {
    "building": "store.write_store",  # inside the build, before the store is swapped
    "moving-in": "imports._move_in",  # after the store with the upload is in place, before the file moves in
}


@pytest.mark.parametrize("moment", list(KILL_AT))
def test_kill_during_add_leaves_the_reports_folder_as_it_was(reports_dir, tmp_path, seed_text, moment):
    db = tmp_path / "s.duckdb"
    store.build(reports_dir, db)
    before = folder_state(reports_dir)
    upload = tmp_path / "tomakomai_R2.txt"
    upload.write_text(derive(seed_text, 2020), encoding="utf-8")
    module, func = KILL_AT[moment].split(".")
    script = (f"import os, signal, sys\nfrom evaldash import cli, {module}\n"
              f"setattr({module}, {func!r}, lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL))\n"
              "sys.exit(cli.main(sys.argv[1:]))\n")
    done = subprocess.run([sys.executable, "-c", script, "add", str(upload), "--reports", str(reports_dir),
                           "--db", str(db)], cwd=ROOT, capture_output=True, timeout=120)
    assert done.returncode == -signal.SIGKILL
    assert folder_state(reports_dir) == before
    assert list((reports_dir.parent / ".incoming").iterdir())  # the staged upload is left, outside the folder
    again = run_cli("add", upload, "--reports", reports_dir, "--db", db)  # and cleared by the next add
    assert again.returncode == 0, again.stderr
    assert "tomakomai_R2.txt" in folder_state(reports_dir)
    assert not list((reports_dir.parent / ".incoming").iterdir())


def test_kill_at_a_random_moment_of_add(reports_dir, tmp_path, seed_text):
    db = tmp_path / "s.duckdb"
    store.build(reports_dir, db)
    before = folder_state(reports_dir)
    upload = tmp_path / "tomakomai_R2.txt"
    upload.write_text(derive(seed_text, 2020), encoding="utf-8")
    for delay in (0.3, 0.8, 1.4, 2.0):
        child = subprocess.Popen([sys.executable, "-m", "evaldash", "add", str(upload), "--reports", str(reports_dir),
                                  "--db", str(db)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait()
        after = folder_state(reports_dir)
        if after != before:  # it finished first: then the upload is in, whole
            assert after == {**before, "tomakomai_R2.txt": digest(upload)}
            return


# -- the worker: a breach is a finding -----------------------------------------------------------------------

def test_a_child_out_of_memory_or_time_is_a_finding(monkeypatch):
    data = csv_bytes(*[f"白老町,1,まちづくり,{k:04d},指標,人,2020,{k}" for k in range(20000)])
    with monkeypatch.context() as limit:
        limit.setattr(worker, "SECONDS", 0.05)
        slow, preview = worker.check_upload("big.csv", data, REPORTS)
    assert preview is None and slow[0].severity == "error"
    assert "時間の上限" in slow[0].message and slow[0].file == "big.csv"
    with monkeypatch.context() as limit:
        limit.setattr(worker, "MEMORY_MB", 64)
        small, preview = worker.check_upload("big.csv", data, REPORTS)
    assert preview is None and small[0].severity == "error" and "メモリの上限 64 MB" in small[0].message
    fine, preview = worker.check_upload("big.csv", data, REPORTS)
    assert not any(f.severity == "error" for f in fine) and len(preview["new_values"]) == 20000
    assert os.getpid()  # the test process is still here


# -- export -> import gives the same rows ----------------------------------------------------------------------

def test_the_excel_exports_read_back_as_the_csv_export_does(store_db, con, tmp_path):
    from evaldash.export.views import data_workbook

    csv, xlsx = tmp_path / "flat.csv", tmp_path / "flat.xlsx"
    for out, fmt in [(csv, "csv"), (xlsx, "xlsx")]:
        done = run_cli("export", "--format", fmt, "--out", out, "--db", store_db, "--reports", REPORTS)
        assert done.returncode == 0, done.stderr
    expected, found = template.read_template(csv)
    assert found == [] and cells(expected)
    def unnamed(reports):  # the file's name, and a number's text (6.0 in the CSV, 6 as Excel shows it), aside
        return re.sub(r"(?<![_a-z])raw='[^']*'", "", repr([dataclasses.replace(r, source_file="") for r in reports]))

    from_excel, found = template.read_template(xlsx)
    assert found == [] and unnamed(from_excel) == unnamed(expected)
    page, found = template.read_template_bytes(data_workbook(con, None), "データ.xlsx")  # with its 列の説明 sheet
    assert found == [] and unnamed(page) == unnamed(expected)


def test_a_store_of_another_citys_codes_keeps_them(reports_dir, tmp_path):
    import duckdb

    upload = csv_bytes("白老町,1,まちづくり,0086,参加者数,人,2020,12", "白老町,1,まちづくり,A-12,相談件数,件,2020,3")
    db = tmp_path / "s.duckdb"
    store.build(reports_dir, db)
    outcome = imports.add_sources([("shiraoi.csv", upload)], reports_dir, db, actor=CLI)
    assert outcome.ok, outcome.findings
    con = duckdb.connect(str(db), read_only=True)
    got = con.execute("SELECT measure_id, value FROM flat_indicators WHERE municipality = '白老町' ORDER BY 1").fetchall()
    con.close()
    assert got == [("0086", 12.0), ("A-12", 3.0)]

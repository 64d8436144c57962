"""The Excel views: read back with openpyxl and pandas and compared with the store, queried independently."""

from __future__ import annotations

import io
import math
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from evaldash import store
from evaldash.export.excel import workbook_bytes
from evaldash.export.views import (
    CHANGES_COLUMNS,
    CHANGES_SHEET,
    DATA_SHEET,
    DICTIONARY_SHEET,
    changes_workbook,
    data_workbook,
)
from evaldash.model import FLAT_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "data" / "reports"


@pytest.fixture(scope="session")
def excel_db(store_db) -> Path:
    """The shared test store (tests/conftest.py), read-only here."""
    return store_db




def raw(con, query: str, params: list | None = None) -> pd.DataFrame:
    """Plain SQL on the store, not the exporter's named queries."""
    cur = con.cursor()
    try:
        return cur.execute(query, params or []).df()
    finally:
        cur.close()


def sheet(data: bytes, name: str):
    return openpyxl.load_workbook(io.BytesIO(data))[name]


def same(a, b) -> bool:
    missing = lambda v: v is None or (isinstance(v, float) and math.isnan(v))  # noqa: E731
    if missing(a) or missing(b):
        return missing(a) and missing(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return str(a) == str(b)


CHANGES_SQL = """
SELECT i.municipality, m.policy_no, m.policy_name, i.measure_id, m.reflection, i.indicator, i.unit,
       c.prev_label, c.prev_value, c.latest_label, c.latest_value, c.delta, c.delta_pct, c.summary, i.note
FROM indicator_changes c
JOIN indicators i USING (municipality, indicator_id)
JOIN measures m USING (municipality, measure_id)
WHERE {where}
ORDER BY m.policy_no, i.measure_id, i.ord
"""


@pytest.mark.parametrize("filters,where", [
    ({"pol": [3]}, "m.policy_no = 3"),
    ({}, "TRUE"),
    ({"refl": ["A"], "measures": ["1110213", "1110221"]}, "m.reflection = 'A' AND m.measure_id IN ('1110213', '1110221')"),
])
def test_changes_workbook_has_the_stores_rows_and_values(con, filters, where):
    data = changes_workbook(con, filters)
    want = raw(con, CHANGES_SQL.format(where=where))  # where: literal test text, not user input
    got = pd.read_excel(io.BytesIO(data), sheet_name=CHANGES_SHEET)
    assert list(got.columns) == list(CHANGES_COLUMNS.values())
    assert len(got) == len(want) > 0
    for g, w in zip(got.to_dict("records"), want.to_dict("records")):
        assert g["運営方針"] == f"運営方針{w['policy_no']:02d} {w['policy_name']}"
        for col, header in CHANGES_COLUMNS.items():
            if col != "policy_name":  # its number and name in one, as checked above
                assert same(g[header], w[col]), (header, g[header], w[col])


def test_changes_workbook_stops_at_a_limit_in_the_report_order(con):
    # The dashboard caps it (sql.ROW_LIMIT); the rows kept are the first of the whole workbook's order.
    whole = pd.read_excel(io.BytesIO(changes_workbook(con, {})), sheet_name=CHANGES_SHEET)
    capped = pd.read_excel(io.BytesIO(changes_workbook(con, {"limit": 4})), sheet_name=CHANGES_SHEET)
    assert len(whole) > 4 and len(capped) == 4
    pd.testing.assert_frame_equal(capped, whole.head(4), check_dtype=False)  # a column of 4 blanks reads as float


def test_changes_workbook_shows_47_to_68(con):
    got = pd.read_excel(io.BytesIO(changes_workbook(con, {"pol": [3]})), sheet_name=CHANGES_SHEET)
    row = got[got["指標"] == "女性人材バンク登録者数"].iloc[0]
    assert (row["前年度"], row["前年度の値"], row["最新年度"], row["最新年度の値"], row["増減"]) == \
        ("H30年度", 47, "R1年度", 68, 21)
    assert row["要約"] == "女性人材バンク登録者数は、H30年度の47人からR1年度の68人へ21人増加（+44.7%）しました。"


def test_changes_sheet_header_is_frozen_and_numbers_formatted(con):
    ws = sheet(changes_workbook(con, {"pol": [3]}), CHANGES_SHEET)
    assert ws.freeze_panes == "A2"
    headers = [c.value for c in ws[1]]
    col = {h: i for i, h in enumerate(headers)}
    formats, kinds = {}, {}
    for row in ws.iter_rows(min_row=2):
        name = row[col["指標"]].value
        formats[name] = {h: row[col[h]].number_format for h in ("前年度の値", "最新年度の値", "増減", "増減率(%)")}
        kinds[name] = {h: row[col[h]].data_type for h in ("増減", "増減率(%)")}
    # The decimals the report used: whole people, one decimal for the ratio.
    assert formats["女性人材バンク登録者数"]["最新年度の値"] == "#,##0"
    assert formats["審議会等委員の女性比率"]["最新年度の値"] == "#,##0.0"
    # A change is signed as on screen (+21, −3 with U+2212, ±0) by its format; the cell stays a number.
    positive, negative, zero = formats["審議会等委員の女性比率"]["増減"].split(";")
    assert (positive, negative, zero) == ('"+"#,##0.0', '"\u2212"#,##0.0', '"±"0.0')
    assert formats["女性人材バンク登録者数"]["増減"].split(";")[0] == '"+"#,##0'
    assert formats["女性人材バンク登録者数"]["増減率(%)"] == '"+"0.0"%";"\u2212"0.0"%";"±"0.0"%"'
    assert kinds["女性人材バンク登録者数"] == {"増減": "n", "増減率(%)": "n"}


def test_data_workbook_has_the_flat_rows_and_values(con):
    data = data_workbook(con, {"pol": [3]})
    want = raw(con, "SELECT * FROM flat_indicators WHERE policy_no = 3 "
                    "ORDER BY municipality, policy_no, measure_id, indicator_id, fiscal_year")
    got = pd.read_excel(io.BytesIO(data), sheet_name=DATA_SHEET, dtype={"measure_id": str})
    assert list(got.columns) == FLAT_COLUMNS
    assert len(got) == len(want) == 14
    for g, w in zip(got.to_dict("records"), want[FLAT_COLUMNS].to_dict("records")):
        for c in FLAT_COLUMNS:
            assert same(g[c], w[c]), (c, g[c], w[c])
    bank = got[got["indicator"] == "女性人材バンク登録者数"].sort_values("fiscal_year")
    assert bank["value"].tolist() == [47, 68]


def test_data_workbook_whole_store_and_measure_filter(con):
    everything = pd.read_excel(io.BytesIO(data_workbook(con, {})), sheet_name=DATA_SHEET)
    assert len(everything) == raw(con, "SELECT count(*) AS n FROM flat_indicators")["n"].iloc[0]
    one = pd.read_excel(io.BytesIO(data_workbook(con, {"measures": ["1110321"]})), sheet_name=DATA_SHEET,
                        dtype={"measure_id": str})
    assert set(one["measure_id"]) == {"1110321"} and len(one) == 4


def test_data_sheet_formats_and_dictionary(con):
    data = data_workbook(con, {"pol": [3]})
    ws = sheet(data, DATA_SHEET)
    assert ws.freeze_panes == "A2"
    headers = [c.value for c in ws[1]]
    value_col, ind_col = headers.index("value"), headers.index("indicator")
    year_col = headers.index("fiscal_year")
    for row in ws.iter_rows(min_row=2):
        if row[ind_col].value == "審議会等委員の女性比率":
            assert row[value_col].number_format == "#,##0.0"
        if row[ind_col].value == "女性人材バンク登録者数":
            assert row[value_col].number_format == "#,##0"
        assert row[year_col].number_format == "0"  # 2019, not 2,019
    no_value = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[headers.index("value_status")] == "no_value"]
    assert no_value and all(r[value_col] is None for r in no_value)  # a gap, never 0

    docs = sheet(data, DICTIONARY_SHEET)
    assert docs.freeze_panes == "A2"
    assert [c.value for c in docs[1]] == ["列名", "日本語名", "説明"]
    assert [r[0] for r in docs.iter_rows(min_row=2, values_only=True)] == FLAT_COLUMNS
    assert all(r[1] for r in docs.iter_rows(min_row=2, values_only=True))


def test_report_text_starting_with_equals_is_text_not_formula(tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    text = (REPORTS / "tomakomai_R1.txt").read_text(encoding="utf-8")
    hostile = "=HYPERLINK(\"http://example.invalid\",\"x\") 女性人材バンク登録者数"
    assert "\t女性人材バンク登録者数\t" in text
    (reports / "tomakomai_R1.txt").write_text(text.replace("\t女性人材バンク登録者数\t", f"\t{hostile}\t"),
                                              encoding="utf-8")
    db = tmp_path / "s.duckdb"
    store.build(reports, db)
    c = store.connect_readonly(db)
    try:
        books = {DATA_SHEET: data_workbook(c, {"pol": [3]}), CHANGES_SHEET: changes_workbook(c, {"pol": [3]})}
    finally:
        c.close()
    for name, data in books.items():
        ws = sheet(data, name)
        cells = [cell for row in ws.iter_rows() for cell in row if isinstance(cell.value, str)
                 and cell.value.startswith("=")]
        assert cells, name
        for cell in cells:
            assert cell.data_type == "s" and cell.value.startswith(hostile)  # the text as written, no formula
            assert cell.quotePrefix
        got = pd.read_excel(io.BytesIO(data), sheet_name=name)
        assert hostile in got.astype(str).to_numpy().ravel().tolist()


def test_workbook_bytes_keeps_numbers_and_text_apart():
    frame = pd.DataFrame({"t": ["=1+1", "+81 3", "-", "-5", "@x"], "v": [1.5, 2.0, None, 3.0, 4.0]})
    ws = sheet(workbook_bytes({"s": frame}), "s")
    assert [c.value for c in ws["A"][1:]] == ["=1+1", "+81 3", "-", "-5", "@x"]
    assert all(c.data_type == "s" for c in ws["A"][1:])
    assert [c.value for c in ws["B"][1:]] == [1.5, 2, None, 3, 4]


"""Excel files of the dashboard's views: the what-changed table and the flat data with its dictionary.

Both take the same `filters` as the deck (the shared sidebar filter, plus the optional
`measures`, `indicators` and `min_abs_pct`), read the store only through named queries,
and write with `workbook_bytes`: Japanese headers where people read them, numbers with the
decimals the report used, a frozen header row, one sheet per view.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from .. import sql
from ..filters import policy_label
from ..model import FLAT_COLUMNS, flat_dictionary
from ..summary import SIGNED_PCT_FORMAT, decimals_of
from . import HEADERS
from .deck.selection import query_params
from .excel import decimals_format, workbook_bytes

CHANGES_SHEET = "前年度比較"
DATA_SHEET = "データ"
DICTIONARY_SHEET = "列の説明"

# The what-changed table: column of export_indicators -> Japanese header, in order; the flat table's columns by their
# own names (FLAT_TABLE), 運営方針 with its number.
CHANGES_COLUMNS = {
    **{column: HEADERS["ja"][column]
       for column in ("municipality", "policy_name", "measure_id", "reflection", "indicator", "unit")},
    "prev_label": "前年度", "prev_value": "前年度の値", "latest_label": "最新年度", "latest_value": "最新年度の値",
    "delta": "増減", "delta_pct": "増減率(%)", "summary": "要約", "note": "備考",
}


def changes_workbook(con: duckdb.DuckDBPyConnection, filters: dict | None) -> bytes:
    """.xlsx of the what-changed table: one sheet, previous and latest year with a value, Δ, Δ%, summary; the values
    with the decimals of their row's indicator."""
    rows = sql.run(con, "export_indicators", query_params(filters))  # the selection every export shares
    rows = rows.assign(policy_name=[policy_label(n, name) for n, name in zip(rows["policy_no"], rows["policy_name"])])
    frame = rows[list(CHANGES_COLUMNS)].rename(columns=CHANGES_COLUMNS).reset_index(drop=True)
    decimals = [decimals_of(a, b) for a, b in zip(rows["prev_value"], rows["latest_value"])]
    per_row = [decimals_format(d) for d in decimals]
    formats = {CHANGES_COLUMNS[c]: per_row for c in ("prev_value", "latest_value")}
    formats[CHANGES_COLUMNS["delta"]] = [decimals_format(d, signed=True) for d in decimals]
    formats[CHANGES_COLUMNS["delta_pct"]] = SIGNED_PCT_FORMAT
    return workbook_bytes({CHANGES_SHEET: frame}, number_formats={CHANGES_SHEET: formats},
                          wrap={CHANGES_SHEET: {CHANGES_COLUMNS["summary"], CHANGES_COLUMNS["note"]}})


def data_frame(con: duckdb.DuckDBPyConnection, filters: dict | None) -> pd.DataFrame:
    """The flat table (the export contract, FLAT_COLUMNS) for the selection."""
    params = query_params(filters)
    flat = sql.run(con, "flat", params)
    if params["measures"] or params["indicators"] or params["min_abs_pct"]:
        ids = set(sql.run(con, "export_indicators", params)["indicator_id"])
        flat = flat[flat["indicator_id"].isin(ids)]
    return flat[FLAT_COLUMNS].reset_index(drop=True)


def data_workbook(con: duckdb.DuckDBPyConnection, filters: dict | None, headers: str = "en") -> bytes:
    """.xlsx of the flat data (one row per indicator and year) and a 列の説明 sheet.

    headers: "en" for the contract column names, "ja" for their Japanese names (the dashboard's download); the
    取込 template reader takes either."""
    flat = data_frame(con, filters)
    # Each value with the decimals its indicator uses in the report (26.9 stays 26.9, 47 stays 47).
    per_indicator = {iid: decimals_of(*g) for iid, g in flat.groupby("indicator_id")["value"]}
    value_formats = [decimals_format(per_indicator[iid]) for iid in flat["indicator_id"]]
    names = HEADERS[headers]
    return workbook_bytes(
        {DATA_SHEET: flat.rename(columns=names), DICTIONARY_SHEET: flat_dictionary()},
        number_formats={DATA_SHEET: {names["value"]: value_formats}},
        wrap={DICTIONARY_SHEET: {"説明"}},
    )

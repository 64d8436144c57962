"""Exports of the store: the flat table (CSV, Parquet, Excel), the Excel views and the PowerPoint deck."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

import duckdb
import pandas as pd

from ..formulas import neutralise
from ..model import FLAT_COLUMNS, FLAT_TABLE
from .excel import workbook_bytes

FLAT_ORDER = "ORDER BY municipality, policy_no, measure_id, indicator_id, fiscal_year"
# The flat table's headers: the documented column names (en) or their Japanese names (ja), which the 取込
# template reader takes as well.
HEADERS = {
    "en": {column: column for column in FLAT_TABLE},
    "ja": {column: label for column, (label, _) in FLAT_TABLE.items()},
}


def flat_csv_bytes(frame, bom: bool = True, headers: str = "en") -> bytes:
    """CSV of a flat frame; with a BOM so Excel opens the Japanese text as UTF-8.

    Text that Excel would run as a formula is written behind a quote (formulas.neutralise);
    numeric columns are written as they are."""
    frame = frame[FLAT_COLUMNS].rename(columns=HEADERS[headers])
    for col in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[col]):
            frame[col] = frame[col].map(neutralise)
    text = frame.to_csv(index=False, lineterminator="\n")
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


def flat_export(db: Path, fmt: str, out: Path | TextIO, bom: bool = False, headers: str = "en") -> None:
    names = HEADERS[headers]
    with duckdb.connect(str(db), read_only=True) as con:
        if fmt == "parquet":
            # DuckDB's own writer; the path is bound, not pasted, and the names come from FLAT_TABLE alone.
            columns = ", ".join(f'"{column}" AS "{name}"' for column, name in names.items())
            con.execute(f"COPY (SELECT {columns} FROM flat_indicators {FLAT_ORDER}) TO $path (FORMAT parquet)",
                        {"path": str(out)})
            return
        frame = con.execute(f"SELECT * FROM flat_indicators {FLAT_ORDER}").df()
    if fmt == "csv":
        data = flat_csv_bytes(frame, bom=bom, headers=headers)
        if isinstance(out, Path):
            out.write_bytes(data)
        else:
            out.write(data.decode("utf-8"))
            out.flush()
    elif fmt == "xlsx":
        Path(out).write_bytes(workbook_bytes({"data": frame[FLAT_COLUMNS].rename(columns=names)}))
    else:
        raise ValueError(f"unknown format {fmt!r}")


__all__ = ["HEADERS", "flat_export", "flat_csv_bytes", "workbook_bytes"]

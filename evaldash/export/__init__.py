"""Exports of the store: the flat table (CSV, Parquet, Excel), the Excel views and the PowerPoint deck."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

import duckdb
import pandas as pd

from ..formulas import neutralise
from ..model import FLAT_COLUMNS
from .excel import workbook_bytes

FLAT_SQL = "SELECT * FROM flat_indicators ORDER BY municipality, policy_no, measure_id, indicator_id, fiscal_year"


def flat_csv_bytes(frame, bom: bool = True) -> bytes:
    """CSV of a flat frame; with a BOM so Excel opens the Japanese text as UTF-8.

    Text that Excel would run as a formula is written behind a quote (formulas.neutralise);
    numeric columns are written as they are."""
    frame = frame[FLAT_COLUMNS].copy()
    for col in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[col]):
            frame[col] = frame[col].map(neutralise)
    text = frame.to_csv(index=False, lineterminator="\n")
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


def flat_export(db: Path, fmt: str, out: Path | TextIO, bom: bool = False) -> None:
    con = duckdb.connect(str(db), read_only=True)
    try:
        if fmt == "parquet":
            # DuckDB's own writer; the path is bound, not pasted.
            con.execute(f"COPY ({FLAT_SQL}) TO $path (FORMAT parquet)", {"path": str(out)})
            return
        frame = con.execute(FLAT_SQL).df()
    finally:
        con.close()
    if fmt == "csv":
        data = flat_csv_bytes(frame, bom=bom)
        if isinstance(out, Path):
            out.write_bytes(data)
        else:
            out.write(data.decode("utf-8"))
            out.flush()
    elif fmt == "xlsx":
        Path(out).write_bytes(workbook_bytes({"data": frame[FLAT_COLUMNS]}))
    else:
        raise ValueError(f"unknown format {fmt!r}")


__all__ = ["flat_export", "flat_csv_bytes", "workbook_bytes"]

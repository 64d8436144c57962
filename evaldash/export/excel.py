"""Excel workbooks: one sheet per view, frozen header, number formats, readable widths."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FONT = "Meiryo"  # present on Japanese Windows; LibreOffice substitutes a CJK font elsewhere
_HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
_INT_FORMAT = "#,##0"
_REAL_FORMAT = "#,##0.0##"
_PCT_COLUMNS = {"delta_pct", "Δ%", "増減率(%)"}


def _number_format(series: pd.Series, name: str) -> str | None:
    if name in _PCT_COLUMNS:
        return '+0.0"%";-0.0"%";0.0"%"'
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return None
    values = series.dropna()
    if len(values) and (values % 1 == 0).all():
        return _INT_FORMAT
    return _REAL_FORMAT


def _cell_value(v):
    if v is None:
        return None
    if isinstance(v, float) and pd.isna(v):
        return None
    if v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (list, tuple)):
        return " / ".join(str(x) for x in v)
    if hasattr(v, "item"):
        return v.item()
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") and len(v) > 1 and not _looks_numeric(v):
        # Report text must never become a formula in the user's Excel.
        return "'" + v
    return v


def _looks_numeric(v: str) -> bool:
    try:
        float(v.replace(",", ""))
        return True
    except ValueError:
        return False


def workbook_bytes(sheets: dict[str, pd.DataFrame], headers: dict[str, str] | None = None) -> bytes:
    """Sheets of DataFrames to .xlsx bytes. `headers` maps column names to display names."""
    headers = headers or {}
    wb = Workbook()
    wb.remove(wb.active)
    for title, frame in sheets.items():
        ws = wb.create_sheet(title[:31])
        columns = list(frame.columns)
        ws.append([headers.get(c, c) for c in columns])
        for cell in ws[1]:
            cell.font = Font(name=FONT, bold=True)
            cell.fill = _HEADER_FILL
            cell.alignment = Alignment(vertical="center", wrap_text=True)
        for row in frame.itertuples(index=False, name=None):
            ws.append([_cell_value(v) for v in row])
        for k, col in enumerate(columns, start=1):
            letter = get_column_letter(k)
            fmt = _number_format(frame[col], col)
            width = max([len(str(headers.get(col, col)))] + [len(str(v)) for v in frame[col].head(200).tolist()])
            ws.column_dimensions[letter].width = min(max(8, width * 1.6 if not fmt else width + 4), 60)
            for cell in ws[letter][1:]:
                cell.font = Font(name=FONT)
                if fmt:
                    cell.number_format = fmt
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = ws.dimensions
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

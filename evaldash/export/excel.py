"""Excel workbooks: one sheet per view, frozen header, number formats, readable widths.

Text from the reports is always written as text: a cell that starts with "="
is stored as a string (with Excel's quote prefix), never as a formula.
"""

from __future__ import annotations

import io
import math
import unicodedata
from typing import Sequence

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..formulas import looks_like_formula
from ..normalize import plain_values
from ..summary import signed_number_format

FONT = "Meiryo"  # present on Japanese Windows; LibreOffice substitutes a CJK font elsewhere
_HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
_INT_FORMAT = "#,##0"
_REAL_FORMAT = "#,##0.0##"
_PLAIN_INT_FORMAT = "0"  # years, numbers that name things, line numbers: no thousands separator
_PLAIN_INT_HINTS = ("year", "_no", "line", "ord", "年度", "番号", "行")
_MAX_WIDTH = 60
_WRAP_WIDTH = 44  # a wrapped column is kept narrower and grows downwards
_LINE_HEIGHT = 18  # points per line of 11 pt Meiryo


def decimals_format(decimals: int, signed: bool = False) -> str:
    """#,##0 / #,##0.0 …: a number shown with the decimals the report used; signed for a change (+21, −3, ±0)."""
    body = _INT_FORMAT + ("." + "0" * decimals if decimals > 0 else "")
    return signed_number_format(body) if signed else body


def _number_format(series: pd.Series, name: str) -> str | None:
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return None
    values = series.dropna()
    if len(values) and (values % 1 == 0).all():
        return _PLAIN_INT_FORMAT if any(h in str(name).lower() for h in _PLAIN_INT_HINTS) else _INT_FORMAT
    return _REAL_FORMAT


def _text_width(text: str) -> int:
    """Display width in Excel's character units: full-width characters count twice."""
    return sum(2 if unicodedata.east_asian_width(c) in "WFA" else 1 for c in text)


def workbook_bytes(
    sheets: dict[str, pd.DataFrame],
    number_formats: dict[str, dict[str, str | Sequence[str | None]]] | None = None,
    wrap: dict[str, set[str]] | None = None,
) -> bytes:
    """Sheets of DataFrames to .xlsx bytes. `number_formats[sheet][column]` overrides the format chosen from the
    column's dtype: one format string, or one per row (None = leave that cell's format alone). `wrap[sheet]` names
    columns whose text wraps."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, frame in sheets.items():
        ws = wb.create_sheet(title[:31])
        _write_cells(ws, frame)
        _format_columns(ws, frame, (number_formats or {}).get(title, {}), (wrap or {}).get(title, set()))
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = ws.dimensions
        # Printed: A4 landscape, all columns on one page width, the header row on every page.
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.print_title_rows = "1:1"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _write_cells(ws, frame: pd.DataFrame) -> None:
    """The header row, then the frame's values; text that looks like a formula stays text."""
    ws.append(list(frame.columns))
    for cell in ws[1]:
        cell.font = Font(name=FONT, bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for r, row in enumerate(plain_values(frame).itertuples(index=False, name=None), start=2):
        for k, v in enumerate(row, start=1):
            cell = ws.cell(row=r, column=k, value=v)
            if looks_like_formula(v):
                # Stored as a string, shown exactly as the report wrote it; the quote prefix keeps
                # Excel from turning it into a formula when the cell is edited.
                cell.data_type = "s"
                cell.quotePrefix = True


def _format_columns(ws, frame: pd.DataFrame, formats: dict, wrap: set[str]) -> None:
    """Each column's width, font, wrapping and number format; rows as tall as their wrapped text."""
    body_font = Font(name=FONT)
    lines_needed = [1] * len(frame)
    for k, col in enumerate(frame.columns, start=1):
        letter = get_column_letter(k)
        fmt = formats.get(col, _number_format(frame[col], col))
        wrapped = col in wrap
        header_width = _text_width(str(col)) + 2
        if fmt is not None or pd.api.types.is_numeric_dtype(frame[col]):
            width = max(header_width, 12)  # formatted numbers, not their float repr
        else:
            width = max([header_width] + [_text_width(str(v)) + 2 for v in frame[col].head(200).dropna()])
        ws.column_dimensions[letter].width = min(max(8, width), _WRAP_WIDTH if wrapped else _MAX_WIDTH)
        for i, cell in enumerate(ws[letter][1:]):
            cell.font = body_font
            if wrap:  # rows may grow: keep every cell of a row at its top
                cell.alignment = Alignment(wrap_text=wrapped, vertical="top")
            if wrapped and isinstance(cell.value, str):
                # Full-width characters are a little under two width units in practice.
                per_line = max(ws.column_dimensions[letter].width - 1, 1)
                lines_needed[i] = max(lines_needed[i], math.ceil(_text_width(cell.value) * 0.9 / per_line))
            cell_fmt = fmt if fmt is None or isinstance(fmt, str) else fmt[i]
            if cell_fmt and isinstance(cell.value, (int, float)):
                cell.number_format = cell_fmt
    # Rows with wrapped text get their height written out: not every program fits it on opening.
    for i, lines in enumerate(lines_needed, start=2):
        if lines > 1:
            ws.row_dimensions[i].height = _LINE_HEIGHT * lines

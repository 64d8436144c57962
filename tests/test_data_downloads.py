"""The データ page's downloads are headed in Japanese and re-import as the same rows (issue 17 §2)."""

from __future__ import annotations

import dataclasses
import io
import re

import pandas as pd

from evaldash import template
from evaldash.export import HEADERS, flat_csv_bytes
from evaldash.export.views import DATA_SHEET, data_frame, data_workbook
from evaldash.model import FLAT_TABLE


def unnamed(reports) -> str:
    """The reports as rows, the file's name and a number's text (6.0 in a CSV, 6 in Excel) aside."""
    return re.sub(r"(?<![_a-z])raw='[^']*'", "", repr([dataclasses.replace(r, source_file="") for r in reports]))


def test_the_downloads_carry_the_japanese_names_of_the_flat_table(con):
    flat = data_frame(con, {"pol": [3]})
    labels = [label for label, _ in FLAT_TABLE.values()]
    csv = pd.read_csv(io.BytesIO(flat_csv_bytes(flat, bom=True, headers="ja")), encoding="utf-8-sig")
    assert list(csv.columns) == labels
    book = pd.read_excel(io.BytesIO(data_workbook(con, {"pol": [3]}, headers="ja")), sheet_name=DATA_SHEET)
    assert list(book.columns) == labels
    value = HEADERS["ja"]["value"]
    assert book[value].dtype.kind == "f" and book[value].equals(csv[value])  # values stay numbers


def test_a_data_page_download_reimports_as_the_same_rows(con):
    flat = data_frame(con, None)
    expected, found = template.read_template_bytes(flat_csv_bytes(flat, headers="en"), "flat.csv")
    assert found == [] and expected
    from_csv, found = template.read_template_bytes(flat_csv_bytes(flat, bom=True, headers="ja"), "データ.csv")
    assert found == [] and unnamed(from_csv) == unnamed(expected)
    from_excel, found = template.read_template_bytes(data_workbook(con, None, headers="ja"), "データ.xlsx")
    assert found == [] and unnamed(from_excel) == unnamed(expected)

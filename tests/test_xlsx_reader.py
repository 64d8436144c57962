"""The .xlsx reader: the text of every cell as Excel shows it, whatever form the sheet's XML takes."""

from __future__ import annotations

import io
import zipfile

import openpyxl

from evaldash import xlsx

MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def read(data: bytes) -> list[list]:
    book = xlsx.Book(data)
    return [list(book.rows(p)) for p in book.sheets()]


def test_a_workbook_as_excel_writes_it():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["municipality", "x&y<z>", True, None, 3.5, 68.0, "=SUM(1,2)"])
    sheet.append(["苫小牧市", 86, False])
    sheet["B2"].number_format = "0000"
    book.create_sheet("second")["AA10"] = 5
    out = io.BytesIO()
    book.save(out)
    first, second = read(out.getvalue())
    assert first == [(1, {0: "municipality", 1: "x&y<z>", 2: "TRUE", 4: "3.5", 5: "68", 6: ""}),  # a formula: its saved result, none here
                     (2, {0: "苫小牧市", 1: "0086", 2: "FALSE"})]
    assert second == [(10, {26: "5"})]


def workbook(rows: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("xl/workbook.xml", f'<workbook {MAIN} xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
                   '2006/relationships"><sheets><sheet name="s" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/'
                   '2006/relationships"><Relationship Id="rId1" Type="x" Target="worksheets/sheet1.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", f"<worksheet {MAIN}><sheetData>{rows}</sheetData></worksheet>")
    return out.getvalue()


def test_inline_and_rich_text_formulas_and_cells_without_a_reference():
    rows = read(workbook(
        '<row r="1"><c r="A1" t="inlineStr"><is><r><t>a</t></r><r><t>b</t></r></is></c><c r="C1"><v>5</v></c>'
        '<c r="D1" t="b"/></row>'
        '<row r="3"><c r="B3" t="str"><f>A1</f><v>x&amp;y</v></c><c r="C3" t="e"><v>#N/A</v></c></row>'
        '<row><c t="inlineStr"><is><t xml:space="preserve"> x </t></is></c><c><v>1.50</v></c></row>'))[0]
    assert rows == [(1, {0: "ab", 2: "5", 3: ""}), (3, {1: "x&y", 2: "#N/A"}), (0, {0: " x ", 1: "1.50"})]

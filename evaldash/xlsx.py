"""A streaming reader of the cells of an .xlsx sheet, as text, with lxml.

The template needs the text of a few columns of one sheet. openpyxl builds an
object per cell; this reads the sheet's XML as it streams from the zip and keeps
only the wanted columns. Call limits.xlsx_bomb on the bytes first.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from functools import lru_cache

from lxml import etree

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_REF_RE = re.compile(r"([A-Z]+)([0-9]+)")
_CELL, _VALUE = f"{NS}c", f"{NS}v"


class Book:
    def __init__(self, data: bytes):
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.strings = self._shared_strings()
        self.zero_pads = self._zero_pad_styles()

    def _xml(self, path: str):
        return etree.fromstring(self.zip.read(path)) if path in self.zip.namelist() else None

    def sheets(self) -> list[str]:
        """Member paths of the worksheets, in the workbook's order."""
        book, rels = self._xml("xl/workbook.xml"), self._xml("xl/_rels/workbook.xml.rels")
        if book is None or rels is None:
            return []
        targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{PKG_NS}Relationship")}
        sheet_targets = [targets.get(sheet.get(f"{REL_NS}id"), "") for sheet in book.iter(f"{NS}sheet")]
        paths = [t.lstrip("/") if t.startswith("/") else posixpath.normpath("xl/" + t) for t in sheet_targets]
        return [p for p in paths if p in self.zip.namelist()]

    def _shared_strings(self) -> list[str]:
        root = self._xml("xl/sharedStrings.xml")
        if root is None:
            return []
        return ["".join(t.text or "" for t in si.iter(f"{NS}t") if t.getparent().tag != f"{NS}rPh")
                for si in root.iter(f"{NS}si")]

    def _zero_pad_styles(self) -> dict[int, int]:
        """Style index -> width, for the styles that show a whole number padded with zeros (0000)."""
        root = self._xml("xl/styles.xml")
        if root is None:
            return {}
        formats = {int(f.get("numFmtId")): f.get("formatCode", "") for f in root.iter(f"{NS}numFmt")}
        codes = (formats.get(int(xf.get("numFmtId", "0")), "") for xf in root.iterfind(f"{NS}cellXfs/{NS}xf"))
        return {k: len(code) for k, code in enumerate(codes) if re.fullmatch(r"0{2,}", code)}

    def rows(self, path: str):
        """(row number, {column index: text}) of each row that has a cell, in order."""
        with self.zip.open(path) as stream:
            for _, row in etree.iterparse(stream, events=("end",), tag=f"{NS}row", huge_tree=False):
                yield self._row(row)
                row.clear()
                while row.getprevious() is not None:
                    del row.getparent()[0]

    def _row(self, row) -> tuple[int, dict[int, str]]:
        number = int(row.get("r") or 0)
        cells = {}
        for k, c in enumerate(row.iterchildren(_CELL)):
            match = _REF_RE.match(c.get("r", ""))
            column = _column_index(match.group(1)) if match else k
            if match and not number:
                number = int(match.group(2))
            cells[column] = self._text(c)
        return number, cells

    def _text(self, c) -> str:
        kind = c.get("t")
        if kind == "inlineStr":
            return "".join(t.text or "" for t in c.iter(f"{NS}t"))
        text = c.findtext(_VALUE) or ""
        if not text or kind in ("str", "e"):
            return text
        if kind == "s":
            return self.strings[int(text)] if text.isdigit() and int(text) < len(self.strings) else ""
        if kind == "b":
            return "TRUE" if text == "1" else "FALSE"
        return _number_text(text, self.zero_pads.get(int(c.get("s") or 0)))


@lru_cache(maxsize=4096)  # every row names the same few columns again
def _column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


def _number_text(text: str, pad: int | None) -> str:
    """A number as Excel shows it: 68.0 as 68, 86 formatted 0000 as 0086."""
    try:
        number = float(text)
    except ValueError:
        return text
    if number.is_integer() and abs(number) < 1e15:
        whole = str(int(number))
        return whole.zfill(pad) if pad and number >= 0 else whole
    return text

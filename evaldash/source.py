"""Reading report files from disk: size limit, binary refusal and encoding detection."""

from __future__ import annotations

from pathlib import Path

from .report import Finding, ParseError

MAX_REPORT_BYTES = 20 * 1024 * 1024  # ~700x the bundled report; larger is not a report

# Tried in order. UTF-8 first: CP932 decodes many UTF-8 byte runs without error.
ENCODINGS = ("utf-8-sig", "cp932")

# Files people drop in by mistake, told apart by their first bytes.
_MAGIC = (
    (b"%PDF", "the file is a PDF: expected the report converted to text (tab-separated .txt)"),
    (b"PK\x03\x04", "the file is a zip or Excel workbook: expected a text report (save a template as .xlsx)"),
)


def _too_big(name: str, size: int) -> ParseError:
    return ParseError([Finding(name, 0, "error", f"the file is {size:,} bytes: the limit is {MAX_REPORT_BYTES:,} bytes")])


def decode_report(data: bytes, name: str) -> tuple[str, str, list[Finding]]:
    """Bytes of a report to (text, encoding, findings). Raises ParseError when unreadable.

    Line ends become "\\n" whatever they were (CRLF, CR). A UTF-8 file that ends in
    the middle of a character (a cut download) is read up to the cut, with an error.
    """
    if not data.strip():
        raise ParseError([Finding(name, 0, "error", "the file is empty: expected a 施策評価表 report text")])
    if len(data) > MAX_REPORT_BYTES:
        raise _too_big(name, len(data))
    for magic, message in _MAGIC:
        if data.startswith(magic):
            raise ParseError([Finding(name, 0, "error", message)])
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with a BOM: Excel's "Unicode text"
        try:
            return _lines(data.decode("utf-16")), "utf-16", []
        except UnicodeDecodeError:
            raise ParseError([Finding(name, 0, "error", "the file starts like UTF-16 text but does not decode")])
    if b"\x00" in data[:65536]:
        raise ParseError([Finding(name, 0, "error", "the file is binary (it holds NUL bytes): expected a text report")])
    findings: list[Finding] = []
    first_bad = 0  # where UTF-8 fails, to name that line when no encoding fits
    try:
        data.decode("utf-8")  # not utf-8-sig: its offsets would not count the BOM
    except UnicodeDecodeError as exc:
        first_bad = exc.start
        if exc.reason == "unexpected end of data" and exc.end == len(data):
            line = data[: exc.start].count(b"\n") + 1
            findings.append(
                Finding(name, line, "error", "the file ends in the middle of a character: it is cut short "
                        "(expected a complete report; copy or download it again)")
            )
            data = data[: exc.start]
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        label = "utf-8-bom" if encoding == "utf-8-sig" and data.startswith(b"\xef\xbb\xbf") else encoding
        return _lines(text), label.replace("utf-8-sig", "utf-8"), findings
    line = data[:first_bad].count(b"\n") + 1
    raise ParseError([Finding(name, line, "error", "the text is neither UTF-8 nor Shift_JIS (CP932): "
                              "expected a text file in one of them")])


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_report(path: Path) -> tuple[str, str, list[Finding]]:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_REPORT_BYTES:
            raise _too_big(path.name, size)
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError([Finding(path.name, 0, "error", f"cannot read the file: {exc.strerror}")]) from exc
    return decode_report(data, path.name)

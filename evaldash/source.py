"""Reading report files from disk: size limit, binary refusal and encoding detection."""

from __future__ import annotations

from pathlib import Path

from .report import Finding, ParseError

MAX_REPORT_BYTES = 20 * 1024 * 1024  # ~700x the bundled report; larger is not a report

# Tried in order. UTF-8 first: CP932 decodes many UTF-8 byte runs without error.
ENCODINGS = ("utf-8-sig", "cp932")


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Bytes of a report to (text, encoding). Raises ParseError with a finding."""
    if not data.strip():
        raise ParseError([Finding(name, 0, "error", "the file is empty: expected a 施策評価表 report text")])
    if len(data) > MAX_REPORT_BYTES:
        raise ParseError(
            [Finding(name, 0, "error", f"the file is {len(data):,} bytes: the limit is {MAX_REPORT_BYTES:,} bytes")]
        )
    if b"\x00" in data[:65536]:
        raise ParseError([Finding(name, 0, "error", "the file is binary (it holds NUL bytes): expected a text report")])
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        label = "utf-8-bom" if encoding == "utf-8-sig" and data.startswith(b"\xef\xbb\xbf") else encoding
        return text.replace("\r\n", "\n").replace("\r", "\n"), label.replace("utf-8-sig", "utf-8")
    # Name the first line that does not decode so the user can find it.
    line = data[: _first_bad_offset(data)].count(b"\n") + 1
    raise ParseError([Finding(name, line, "error", "the text is neither UTF-8 nor Shift_JIS (CP932)")])


def _first_bad_offset(data: bytes) -> int:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start
    return 0


def read_report_text(path: Path) -> tuple[str, str]:
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ParseError([Finding(path.name, 0, "error", f"cannot read the file: {exc.strerror}")]) from exc
    if size > MAX_REPORT_BYTES:
        raise ParseError(
            [Finding(path.name, 0, "error", f"the file is {size:,} bytes: the limit is {MAX_REPORT_BYTES:,} bytes")]
        )
    return decode(path.read_bytes(), path.name)

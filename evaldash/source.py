"""Reading report files from disk: size limit, binary refusal and encoding detection."""

from __future__ import annotations

import errno
from pathlib import Path

from .report import Finding, ParseError

MAX_REPORT_BYTES = 20 * 1024 * 1024  # ~700x the bundled report; larger is not a report

# Tried in order. UTF-8 first: CP932 decodes many UTF-8 byte runs without error.
ENCODINGS = ("utf-8-sig", "cp932")

# Files people drop in by mistake, told apart by their first bytes.
_MAGIC = (
    (b"%PDF", "PDF のファイルです: 報告書をテキスト（タブ区切りの .txt）に変換したものが必要です"),
    (b"PK\x03\x04", "zip か Excel のファイルです: テキストの報告書が必要です（取込テンプレートなら拡張子を .xlsx にします）"),
)
# Why a file cannot be read, in words; other errors keep the system's own text.
_OS_ERRORS = {errno.ENOENT: "ファイルがありません", errno.EISDIR: "フォルダです", errno.EACCES: "読む権限がありません"}


def refuse_too_big(name: str, size: int) -> None:
    """The one refusal of a source over MAX_REPORT_BYTES, whichever reader meets it."""
    if size > MAX_REPORT_BYTES:
        raise ParseError.about_file(name, f"ファイルが {size:,} バイトあります: {MAX_REPORT_BYTES:,} バイトまでです")


def decode_report(data: bytes, name: str) -> tuple[str, str, list[Finding]]:
    """Bytes of a report to (text, encoding, findings). Raises ParseError when unreadable; an empty text is
    parse_text's to refuse.

    A UTF-8 file that ends in the middle of a character (a cut download) is read up to the cut, with an error.
    """
    refuse_too_big(name, len(data))
    for magic, message in _MAGIC:
        if data.startswith(magic):
            raise ParseError.about_file(name, message)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with a BOM: Excel's "Unicode text"
        try:
            return data.decode("utf-16"), "utf-16", []
        except UnicodeDecodeError:
            raise ParseError.about_file(name, "UTF-16 のテキストのように始まりますが、読めません: UTF-8 か Shift_JIS（CP932）のテキストが必要です")
    if b"\x00" in data[:65536]:
        raise ParseError.about_file(name, "バイナリのファイルです（NUL バイトがあります）: テキストの報告書が必要です")
    findings: list[Finding] = []
    first_bad = 0  # where UTF-8 fails, to name that line when no encoding fits
    try:
        data.decode("utf-8")  # not utf-8-sig: its offsets would not count the BOM
    except UnicodeDecodeError as exc:
        first_bad = exc.start
        if exc.reason == "unexpected end of data" and exc.end == len(data):
            line = data[: exc.start].count(b"\n") + 1
            findings.append(
                Finding(name, line, "error", "文字の途中でファイルが終わっています: 途中で切れています"
                        "（完全な報告書が必要です。もう一度コピーかダウンロードしてください）")
            )
            data = data[: exc.start]
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        label = "utf-8-bom" if encoding == "utf-8-sig" and data.startswith(b"\xef\xbb\xbf") else encoding
        return text, label.replace("utf-8-sig", "utf-8"), findings
    line = data[:first_bad].count(b"\n") + 1
    raise ParseError([Finding(name, line, "error", "UTF-8 でも Shift_JIS（CP932）でもないテキストです: "
                              "どちらかの文字コードのテキストが必要です")])


def read_report(path: Path) -> bytes:
    """A source file's bytes (a report or a template), read only when within MAX_REPORT_BYTES. Raises ParseError
    when unreadable."""
    try:
        refuse_too_big(path.name, path.stat().st_size)
        return path.read_bytes()
    except OSError as exc:
        why = _OS_ERRORS.get(exc.errno, exc.strerror)
        raise ParseError.about_file(path.name, f"ファイルを読めません（{why}）: 読める報告書かテンプレートのファイルが必要です") from exc

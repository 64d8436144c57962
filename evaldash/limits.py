"""Bounds on what an upload may be, checked before anything is parsed.

An upload that is too large to read safely is refused with a finding; it never
reaches a reader that would build it in memory.
"""

from __future__ import annotations

import contextlib
import gc
import io
import zipfile

from .report import Finding

MAX_INFLATED_BYTES = 50 * 1024 * 1024  # an .xlsx's members, inflated, in all
MAX_INFLATE_RATIO = 100  # inflated size over the file's size
MAX_ZIP_MEMBERS = 10_000
MAX_ROWS = 1_000_000  # data rows of a CSV or of one sheet, the header not counted
MAX_COLUMNS = 200
MAX_LISTED_FINDINGS = 1_000
MAX_NAME_CHARS = 120  # a file name; 255 bytes is the file systems' own limit
MAX_NAME_BYTES = 255


def whole_file(name: str, message: str) -> Finding:
    """A finding about the file as a whole: line 0, which Finding's text shows as the whole file."""
    return Finding(name, 0, "error", message)


def xlsx_bomb(data: bytes, name: str) -> Finding | None:
    """Why an .xlsx must not be opened, read from the zip's central directory alone.

    Nothing is inflated: zipfile's reader stops a member at the size the directory
    declares, so a directory that understates a member cannot make it larger.
    """
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return whole_file(name, "Excel (.xlsx) として読めません: 壊れているか、Excel のファイルではありません")
    if len(members) > MAX_ZIP_MEMBERS:
        return whole_file(name, f"Excel の中身が {len(members):,} 個あります: {MAX_ZIP_MEMBERS:,} 個までです")
    inflated = sum(m.file_size for m in members)
    if inflated > MAX_INFLATED_BYTES:
        return whole_file(name, f"展開すると {inflated:,} バイトになります: {MAX_INFLATED_BYTES:,} バイトまでです")
    if inflated > MAX_INFLATE_RATIO * max(len(data), 1):
        return whole_file(name, f"展開すると元の {inflated // max(len(data), 1):,} 倍になります: "
                          f"{MAX_INFLATE_RATIO} 倍までです")
    return None


def capped(findings: list[Finding]) -> list[Finding]:
    """One finding per distinct problem and line, the first MAX_LISTED_FINDINGS of them,
    then one that counts the rest."""
    unique = list(dict.fromkeys(findings))
    if len(unique) <= MAX_LISTED_FINDINGS:
        return unique
    shown, rest = unique[:MAX_LISTED_FINDINGS], unique[MAX_LISTED_FINDINGS:]
    errors = sum(f.severity == "error" for f in rest)
    return shown + [Finding(shown[-1].file, 0, "error" if errors else "warning",
                            f"ほかに {len(rest):,} 件の指摘があります"
                            f"（うちエラー {errors:,} 件）: 一覧は最初の {MAX_LISTED_FINDINGS:,} 件までです")]


@contextlib.contextmanager
def bulk():
    """While a large upload's million small objects are made (rows, cells, frame rows): they hold no
    cycles, and the cyclic collector would scan them again and again as they grow, for nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()

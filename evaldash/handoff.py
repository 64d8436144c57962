"""A template upload's columns as the 取込 check read them, handed to the add that follows.

The check and the add run in separate processes, and reading a large template (an .xlsx above
all) is a good part of each. The check writes the columns it read to a Parquet file named for
the upload's SHA-256 in the staging area; the add reads them only when the bytes it is given
have that digest, and reads the upload itself when the file is missing, damaged or foreign.
Parquet holds data only: reading a file that someone else put there cannot run code.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from . import limits
from .report import Finding

MAX_AGE_SECONDS = 24 * 3600  # a check older than this is not worth keeping: its add would read the file itself
DIGEST_KEY = b"evaldash.sha256"
FINDINGS_KEY = b"evaldash.findings"

Columns = tuple[dict[str, pd.Series], list[Finding]]


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def path_of(directory: Path, data: bytes) -> Path:
    return Path(directory) / f"{digest(data)}.parquet"


def write(directory: Path, data: bytes, columns: Columns) -> None:
    """Keep the columns read from `data` (and the findings made while reading them) for the add.
    Nothing is kept when the folder cannot be written: the add then reads the upload again."""
    frame, findings = columns
    with contextlib.suppress(OSError, pa.ArrowException):
        directory.mkdir(parents=True, exist_ok=True)
        clear_stale(directory)
        notes = json.dumps([[f.line, f.severity, f.message] for f in findings], ensure_ascii=False)
        table = pa.table({c: pa.array(v, type=pa.string()).dictionary_encode() for c, v in frame.items()},
                         metadata={DIGEST_KEY: digest(data).encode(), FINDINGS_KEY: notes.encode()})
        target = path_of(directory, data)
        part = target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.part")
        try:
            pq.write_table(table, part)
            os.replace(part, target)
        finally:
            part.unlink(missing_ok=True)


def read(directory: Path, data: bytes, name: str, allowed: set[str]) -> Columns | None:
    """The columns a check read from exactly these bytes, or None: no such file, another upload's, damaged,
    or not one this module wrote (a column outside `allowed`, not text, with gaps, too many rows)."""
    path = path_of(directory, data)
    try:
        if not path.is_file():
            return None
        table = pq.read_table(path, read_dictionary=list(pq.read_schema(path).names))
        meta = table.schema.metadata or {}
        if meta.get(DIGEST_KEY) != digest(data).encode() or not _plausible(table, allowed):
            return None
        findings = [Finding(name, int(line), severity, str(message))
                    for line, severity, message in json.loads(meta[FINDINGS_KEY].decode())
                    if severity in ("error", "warning")]
        return {c: table.column(c).to_pandas() for c in table.column_names}, findings
    except Exception:  # a damaged file fails in many ways (Parquet, JSON, shapes): read the upload instead
        return None


def _plausible(table: pa.Table, allowed: set[str]) -> bool:
    return (0 < table.num_columns <= limits.MAX_COLUMNS and table.num_rows <= limits.MAX_ROWS
            and set(table.column_names) <= allowed and len(set(table.column_names)) == table.num_columns
            and all(pa.types.is_dictionary(f.type) and pa.types.is_string(f.type.value_type) for f in table.schema)
            and all(table.column(c).null_count == 0 for c in table.column_names))


def discard(directory: Path, data: bytes) -> None:
    """The add has used it (or will never need it): remove it."""
    with contextlib.suppress(OSError):
        path_of(directory, data).unlink()


def clear_stale(directory: Path) -> None:
    """Handoffs of checks whose add never came, and parts of writes that were killed."""
    if not directory.is_dir():
        return
    now = time.time()
    for path in directory.iterdir():
        with contextlib.suppress(OSError):
            if now - path.stat().st_mtime > MAX_AGE_SECONDS:
                path.unlink()

"""What a store was built from: its sources' folder and the content digest of each source.

A store remembers the folder it was built from and a SHA-256 of every source and of the
indicator metadata file. Whether it is stale is decided by content, so sources copied
with new file times (a read-only mount, a restore from backup) do not count as changed,
and a store is only ever rebuilt from its own folder.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"  # the reports, the store and the audit log by default
TEMPLATE_SUFFIXES = (".csv", ".xlsx")
REPORT_SUFFIXES = (".txt", *TEMPLATE_SUFFIXES)


def is_template(name: str | Path) -> bool:
    """A CSV or Excel source (a template), not a report text."""
    return Path(name).suffix.lower() in TEMPLATE_SUFFIXES


def source_kind(name: str | Path) -> str:
    return "template" if is_template(name) else "report"


def env_path(name: str, default: Path) -> Path:
    """The path the environment variable `name` names, else `default`."""
    value = os.environ.get(name)
    return Path(value) if value else default


def source_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES)


def file_digest(path: Path) -> str:
    """The file's SHA-256, remembered by path, inode, size and mtime: a page view checks freshness on every run,
    and hashing a folder of reports each time would cost more than the page."""
    st = os.stat(path)
    return _digest(str(path), st.st_ino, st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=4096)
def _digest(path: str, inode: int, size: int, mtime_ns: int) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def stat_fingerprint(paths: list[Path], meta: Path) -> str:
    """Cheap identity of the inputs (names, sizes, file times): when it matches, nothing was touched.

    Of the paths a build reads, so an upload staged outside the folder and then linked in (same name, size and time)
    fingerprints as the folder will."""
    h = hashlib.sha256()
    for p in sorted(paths, key=lambda p: p.name) + ([meta] if meta.is_file() else []):
        st = p.stat()
        h.update(f"{p.name}\x1f{st.st_size}\x1f{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


@dataclass(frozen=True)
class Sources:
    """The contents a store is built from: each source's digest, and the metadata file's."""

    digests: dict[str, str]
    meta_digest: str

    @classmethod
    def of(cls, folder: Path, meta: Path, paths: list[Path] | None = None) -> "Sources":
        paths = source_files(folder) if paths is None else paths
        return cls({p.name: file_digest(p) for p in paths}, file_digest(meta) if meta.is_file() else "")

    def record(self) -> dict[str, str]:
        """The store's meta entries for these contents."""
        return {"sources": json.dumps(self.digests, ensure_ascii=False, sort_keys=True), "meta_sha256": self.meta_digest}

    @classmethod
    def recorded(cls, meta: dict[str, str]) -> "Sources | None":
        try:
            digests = json.loads(meta["sources"])
        except (KeyError, ValueError):
            return None
        return cls(digests, meta.get("meta_sha256", "")) if isinstance(digests, dict) else None


def folder_record(folder: Path, db: Path) -> str:
    """The folder as the store writes it down: relative to the store's own folder,
    so a data folder moved or mounted elsewhere as a whole still names its reports."""
    return os.path.relpath(Path(folder).resolve(), Path(db).resolve().parent)


def recorded_folder(meta: dict[str, str], db: Path) -> Path | None:
    text = meta.get("source_folder")
    if not text:
        return None
    path = Path(text)
    return path if path.is_absolute() else (Path(db).resolve().parent / path).resolve()


def writable(folder: Path) -> bool:
    """Can a build write here (its temp file, its lock, the rename)?"""
    folder = Path(folder).resolve()
    while not folder.exists():  # a build makes the store's folder first
        folder = folder.parent
    return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)

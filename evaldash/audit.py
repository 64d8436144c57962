"""The audit log: one JSON line per add, remove and rebuild, outside the store.

The log survives rebuilds and is only ever appended to. Each record is written with
one write(2) on a file opened O_APPEND, under an flock, so records from several
processes (the dashboard's replicas, the command line) never interleave.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from . import provenance
from .normalize import plain_values

DEFAULT_LOG = provenance.DATA_DIR / "audit.log"
# The actions and outcomes a record may name, each with its words on the 取込 page.
ACTION_WORDS = {"add": "追加", "remove": "取り除き", "rebuild": "作り直し"}
OUTCOME_WORDS = {"done": "完了", "refused": "拒否", "rolled back": "取り消し（元のまま）"}


def log_path() -> Path:
    return provenance.env_path("EVALDASH_AUDIT_LOG", DEFAULT_LOG)


def file_info(name: str, data: bytes) -> dict:
    """What a record says about one file: name, kind, SHA-256 and size."""
    return {"name": name, "kind": provenance.source_kind(name), "sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data)}


LISTED_ROWS = 1000  # rows of each kind a record lists; its counts give them all


def _records(frame) -> list[dict]:
    """The first rows as JSON values (numbers, text, None where missing)."""
    if frame is None:
        return []
    return plain_values(frame.head(LISTED_ROWS)).to_dict("records")


def changes_from_preview(preview: Mapping) -> dict:
    """The record's "changes" from imports.preview_reports(): the new measures, fiscal years, added and revised values
    (the first LISTED_ROWS of each, so a million-row upload stays one readable line) and how many of each."""
    kinds = ("new_measures", "new_fiscal_years", "new_values", "revised_values")
    listed = {kind: _records(preview.get(kind)) for kind in kinds}
    listed["new_fiscal_years"] = [r.get("fiscal_label") or r.get("fiscal_year") for r in listed["new_fiscal_years"]]
    return {"counts": {kind: 0 if preview.get(kind) is None else len(preview[kind]) for kind in kinds}, **listed}


REMOVED = {"new_measures": "removed_measures", "new_fiscal_years": "removed_fiscal_years",
           "new_values": "removed_values", "revised_values": "reverted_values"}


def changes_from_removal(preview: Mapping) -> dict:
    """A removal's "changes" from imports.preview_reports() of adding the removed file back: the measures, fiscal years
    and values it took away, and the values it had revised, which go back (old and new as the removal saw them)."""
    added = changes_from_preview(preview)
    changes = {"counts": {REMOVED[kind]: n for kind, n in added["counts"].items()}}
    changes.update({REMOVED[kind]: added[kind] for kind in REMOVED})
    changes["reverted_values"] = [{**row, "old_value": row.get("new_value"), "new_value": row.get("old_value")}
                                  for row in changes["reverted_values"]]
    return changes


def make_record(action: str, who: str, outcome: str, files: Iterable[Mapping] = (), changes: Mapping | None = None,
                findings: Iterable = (), cause: str = "", digests: Mapping[str, str] | None = None,
                now: datetime | None = None) -> dict:
    """One log record. `findings`: report.Finding objects or strings (why it was refused or rolled back).
    `cause`: for a rebuild, e.g. "outside" (files changed outside the dashboard) or "command"."""
    if action not in ACTION_WORDS:
        raise ValueError(f"action must be one of {tuple(ACTION_WORDS)}, not {action!r}")
    if outcome not in OUTCOME_WORDS:
        raise ValueError(f"outcome must be one of {tuple(OUTCOME_WORDS)}, not {outcome!r}")
    record = {
        "when": (now or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="seconds"),
        "who": who,
        "action": action,
        "outcome": outcome,
        "files": [dict(f) for f in files],
    }
    optional = {"changes": dict(changes or {}), "findings": [str(f) for f in findings], "cause": cause}
    record.update((key, value) for key, value in optional.items() if value)
    if digests is not None:
        record["digests"] = dict(digests)
    return record


def record(action: str, who: str, outcome: str, path: Path | None = None, **details) -> dict:
    """Append make_record's record to the log; returns it. A last line cut short by a crash is closed first, so it
    stays one bad line."""
    entry = make_record(action, who, outcome, **details)
    path = Path(path or log_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    # default=str: a value JSON has no type for (a date in a preview, say) is written as its text, never refused
    line = json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str) + "\n"
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            line = "\n" + line
        data = line.encode("utf-8")
        if os.write(fd, data) != len(data):  # a regular file takes it whole or raises (disk full)
            raise OSError(f"short write to {path}")
        os.fsync(fd)
    finally:
        os.close(fd)
    return entry


@dataclass
class LogRead:
    records: list[dict] = field(default_factory=list)  # newest first
    problems: list[str] = field(default_factory=list)  # Japanese, one per unreadable line


def read(path: Path | None = None) -> LogRead:
    """Every readable record, newest first; an unreadable line is reported by number and skipped. Read once per
    version of the file (each record makes it longer) and shared, read only: the 取込 page shows it on every rerun."""
    path = Path(path or log_path())
    try:
        stat = path.stat()
    except FileNotFoundError:
        return LogRead()
    return _read(path, stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _read(path: Path, size: int, mtime_ns: int) -> LogRead:
    out = LogRead()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:  # removed since the stat
        return out
    last_cut = not raw.endswith(b"\n")
    lines = raw.removesuffix(b"\n").split(b"\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line.decode("utf-8"))
            if not isinstance(entry, dict):
                raise ValueError
        except ValueError:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            cut = last_cut and number == len(lines)
            what = "最後の行が途中で切れています（書き込みの途中で止まった記録）" if cut else "JSON として読めない行です"
            out.problems.append(f"{path.name} {number} 行目: {what}。ほかの記録は読みました。")
            continue
        out.records.append(entry)
    out.records.reverse()
    return out


def digests(paths: Iterable[Path]) -> dict[str, str]:
    """SHA-256 of each file that exists, by name: the inputs a rebuild read."""
    return {p.name: provenance.file_digest(p) for p in paths if p.is_file()}


def file_changes(before: Mapping[str, str], after: Mapping[str, str]) -> dict:
    """Which sources a rebuild found added, removed or changed, by their digests."""
    return {
        "files_added": sorted(set(after) - set(before)),
        "files_removed": sorted(set(before) - set(after)),
        "files_changed": sorted(n for n in set(before) & set(after) if before[n] != after[n]),
    }


CHANGE_WORDS = {"new_measures": "新しい施策", "new_fiscal_years": "新しい年度", "new_values": "追加される値",
                "revised_values": "修正される値", "removed_measures": "外れた施策", "removed_fiscal_years": "外れた年度",
                "removed_values": "外れた値", "reverted_values": "元に戻った値"}
FILE_WORDS = {"files_added": "増えたファイル", "files_removed": "なくなったファイル", "files_changed": "中身が変わったファイル"}


def _changes_text(entry: Mapping) -> str:
    """What a record says it changed, in a line: the preview's counts and revised values, or, for a rebuild,
    which source files it found added, removed or changed."""
    changes = entry.get("changes") or {}
    counts = changes.get("counts") or {}
    parts = [f"{CHANGE_WORDS.get(k, k)} {v:,}" for k, v in counts.items() if isinstance(v, int) and v]
    parts += [f"{row.get('indicator')} {row.get('fiscal_label')}: {row.get('old_value')} → {row.get('new_value')}"
              for row in [*changes.get("revised_values", []), *changes.get("reverted_values", [])][:20]]
    parts += [f"{word}: {'、'.join(changes[key])}" for key, word in FILE_WORDS.items() if changes.get(key)]
    return "、".join(parts)


# The columns of table(), with their headings on the 取込 page and in `python -m evaldash log`.
HEADINGS = {"when": "日時（UTC）", "who": "だれが", "action": "操作", "outcome": "結果", "files": "ファイル",
            "changes": "変わったこと", "findings": "理由"}


def table(records: Iterable[Mapping]):
    """The records as the 取込 page and `log` list them, in Japanese words, in the order given (read() gives newest
    first)."""
    rows = [{
        "when": pd.Timestamp(entry.get("when")) if entry.get("when") else pd.NaT,
        "who": entry.get("who", ""),
        "action": ACTION_WORDS.get(entry.get("action"), entry.get("action")),
        "outcome": OUTCOME_WORDS.get(entry.get("outcome"), entry.get("outcome")),
        "files": "、".join(f"{f.get('name')}（{f.get('size', '?')} バイト、SHA-256 {str(f.get('sha256', ''))[:12]}）"
                          for f in entry.get("files", [])),
        "changes": _changes_text(entry),
        "findings": " / ".join(entry.get("findings", [])),
    } for entry in records]
    return pd.DataFrame(rows, columns=list(HEADINGS))

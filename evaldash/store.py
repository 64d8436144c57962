"""The DuckDB store: build it from a folder of reports, replace it atomically, open it read-only.

The store is derived data: it can always be rebuilt from the reports folder,
which is the data of record and is never written to except by `add` and `remove`.
A build writes a new file beside the old one and renames it into place, so a
dashboard that holds the old file keeps reading it until it reopens.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import glob
import json
import os
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import duckdb

from . import audit, limits, provenance
from .model import COMPARED, TABLE_TYPES, TABLES_SQL, build_frames, flat_frame
from .normalize import clean, indicator_key
from .parse import parse_file
from .report import Finding, FindingsError, ParseError, Report

# Raised whenever what a build writes changes, so a store written by older code is rebuilt once (what each version
# brought: `git log -L` on this line).
SCHEMA_VERSION = 7
# Rows per row group of a store file (DuckDB's default is 122,880). Tables are sorted by municipality, and a filtered
# query skips the row groups whose min/max rule them out: with smaller groups a city's rows are read without most of
# their neighbours'. Why this size: BENCHMARKS.md, decisions log (row groups of 8,192 rows).
ROW_GROUP_SIZE = 8192
DEFAULT_REPORTS = provenance.DATA_DIR / "reports"
DEFAULT_DB = provenance.DATA_DIR / "evaldash.duckdb"
DEFAULT_META = provenance.DATA_DIR / "indicator_meta.csv"
META_COLUMNS = TABLE_TYPES["indicator_meta"]  # the staff-edited file's columns, declared in tables.sql
source_files = provenance.source_files
SCHEMA_SQL = Path(__file__).with_name("schema.sql")

Progress = Callable[[str], None]


class BuildError(FindingsError):
    """The store cannot be built; the old one is left as it was."""


@dataclass
class BuildResult:
    db_path: Path
    reports: int
    rows: int
    findings: list[Finding]
    seconds: float
    compared: dict | None  # measures, indicators and observations when asked for (model.compared_frames)


def reports_dir() -> Path:
    return provenance.env_path("EVALDASH_REPORTS", DEFAULT_REPORTS)


def db_path() -> Path:
    return provenance.env_path("EVALDASH_DB", DEFAULT_DB)


def meta_path() -> Path:
    return provenance.env_path("EVALDASH_META", DEFAULT_META)


def fingerprint(folder: Path) -> str:
    return provenance.stat_fingerprint(source_files(folder), meta_path())


def load_reports(paths: list[Path], progress: Progress | None = None,
                 parsed: dict[str, tuple[list[Report], list[Finding]]] | None = None) -> tuple[list[Report], list[Finding]]:
    """Every source's reports and findings; `parsed` holds those already read (an upload's check), by file name."""
    from .template import read_template  # templates import pandas readers lazily

    reports, findings = [], []
    for k, path in enumerate(paths, start=1):
        if progress:
            progress(f"[{k}/{len(paths)}] {path.name}")
        try:
            if parsed and path.name in parsed:
                got, found = parsed[path.name]
            elif provenance.is_template(path):
                got, found = read_template(path)
            else:
                report = parse_file(path)
                got, found = [report], report.findings
        except ParseError as exc:
            findings.extend(exc.findings)
            continue
        findings.extend(found)
        reports.extend(got)
    return reports, findings


def _source_info(paths: list[Path]) -> dict[str, dict]:
    return {p.name: {
        "kind": provenance.source_kind(p),
        "sha256": provenance.file_digest(p),
        "modified": datetime.fromtimestamp(p.stat().st_mtime, tz=timezone.utc).replace(tzinfo=None),
    } for p in paths}


@contextlib.contextmanager
def build_lock(db: Path):
    """One builder at a time per store; readers never take it."""
    db.parent.mkdir(parents=True, exist_ok=True)
    with open(db.with_name(db.name + ".lock"), "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)  # released when the file is closed: its descriptor is not inherited
        yield


def build(
    folder: Path | None = None,
    db: Path | None = None,
    progress: Progress | None = None,
    paths: list[Path] | None = None,
    parsed: dict[str, tuple[list[Report], list[Finding]]] | None = None,
    compared: bool = False,
) -> BuildResult:
    """Parse every source in the folder (or `paths`) and replace the store with the result.

    Raises BuildError, leaving the old store untouched, when any source has an error.
    `compared`: also give back the tables an import's preview compares, so an add need not merge them again.
    """
    folder = Path(folder or reports_dir())
    db = Path(db or db_path())
    start = time.perf_counter()
    with build_lock(db):
        _remove_stale_temp_files(db)
        paths = source_files(folder) if paths is None else paths
        fp = provenance.stat_fingerprint(paths, meta_path())
        if not paths:
            raise BuildError.about_file(str(folder), "フォルダに報告書（*.txt）もテンプレート（*.csv、*.xlsx）もありません: 1つ以上必要です")
        with limits.bulk():
            reports, findings = load_reports(paths, progress, parsed)
            if any(f.severity == "error" for f in findings):
                raise BuildError(findings)
            if progress:
                progress("merging report years")
            try:
                frames = build_frames(reports, _source_info(paths))
            except FindingsError as exc:  # two indicators given one id
                raise BuildError(findings + exc.findings) from None
            frames["flat_indicators"] = flat_frame(frames)
        if progress:
            progress(f"writing {db.name}")
        sources = provenance.Sources.of(folder, meta_path(), paths)
        write_store(frames, db, {"fingerprint": fp, "reports": json.dumps([p.name for p in paths], ensure_ascii=False),
                                 "source_folder": provenance.folder_record(folder, db), **sources.record()})
    kept = {k: frames[k] for k in COMPARED} if compared else None
    return BuildResult(db, len(reports), len(frames["flat_indicators"]), findings, time.perf_counter() - start, kept)


def _remove_stale_temp_files(db: Path) -> None:
    """Temp stores left by a build that was killed. Only called under the build lock,
    so no other build is writing one of them."""
    for p in db.parent.glob(f".{glob.escape(db.name)}.*.tmp"):
        for path in (p, p.with_name(p.name + ".wal")):
            with contextlib.suppress(OSError):
                path.unlink()


def write_store(frames: dict, db: Path, meta: dict[str, str]) -> None:
    """The frames as a new store at `db`, with `meta`'s entries beside its version and build time."""
    tmp = db.with_name(f".{db.name}.{os.getpid()}.tmp")  # the name _remove_stale_temp_files looks for
    tmp.unlink(missing_ok=True)
    try:
        with open_new(tmp) as con:
            con.execute(TABLES_SQL.read_text(encoding="utf-8"))
            for name, frame in frames.items():
                con.register("frame", frame)
                # The table's name is one of our own (tables.sql), never input text; columns go by name.
                con.execute(f'INSERT INTO "{name}" BY NAME SELECT * FROM frame')
                con.unregister("frame")
            _load_indicator_meta(con, meta_path())
            con.execute(SCHEMA_SQL.read_text(encoding="utf-8"))
            built = {"schema_version": str(SCHEMA_VERSION),
                     "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), **meta}
            con.executemany("INSERT INTO meta VALUES (?, ?)", list(built.items()))
            con.execute("CHECKPOINT store")  # everything in the file itself, no WAL beside it: the file is moved next
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, db)
        dir_fd = os.open(db.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    finally:
        tmp.unlink(missing_ok=True)


def open_new(path: Path) -> duckdb.DuckDBPyConnection:
    """A connection whose default database is a new store file at `path`, written in row groups of ROW_GROUP_SIZE."""
    con = duckdb.connect()
    try:
        con.execute("ATTACH $path AS store (ROW_GROUP_SIZE $rows)", {"path": str(path), "rows": ROW_GROUP_SIZE})
        con.execute("USE store")
    except BaseException:
        con.close()
        raise
    return con


def _load_indicator_meta(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """The staff-edited metadata file: which direction is good, and targets."""
    if not path.is_file():
        return
    frame = con.execute(
        "SELECT * FROM read_csv($path, header = true, columns = $columns, nullstr = '', auto_detect = false)",
        {"path": str(path), "columns": META_COLUMNS},
    ).df()
    # Staff type names as they see them (full-width brackets and all): match the parser's form.
    for col in ("municipality", "measure_id", "indicator"):
        frame[col] = frame[col].map(lambda v: clean(v) or None if isinstance(v, str) else None)
    # A name written with last year's date qualifier still means the same indicator:
    # use the store's current name so the queries' join on the name finds it.
    # Only the measures the file names: keying every indicator of a large store was most of this step.
    current = {
        (mid, indicator_key(name)): name
        for mid, name in con.execute("SELECT DISTINCT measure_id, indicator FROM indicators "
                                     "WHERE measure_id IN (SELECT unnest($ids))",
                                     {"ids": frame["measure_id"].dropna().unique().tolist()}).fetchall()
    }
    frame["indicator"] = [
        current.get((mid, indicator_key(name)), name) if isinstance(name, str) else name
        for mid, name in zip(frame["measure_id"], frame["indicator"])
    ]
    con.register("meta_frame", frame)
    con.execute("INSERT INTO indicator_meta BY NAME SELECT * FROM meta_frame")
    con.unregister("meta_frame")
    bad = con.execute(
        "SELECT count(*) FROM indicator_meta WHERE good_direction IS NOT NULL AND good_direction NOT IN ('up', 'down')"
    ).fetchone()[0]
    if bad:
        raise BuildError.about_file(path.name, "good_direction は up（増えるほど良い）、down（減るほど良い）、空欄のどれかにしてください")


def read_meta(db: Path) -> dict[str, str]:
    try:
        with connect_readonly(db) as con:
            return dict(con.execute("SELECT key, value FROM meta").fetchall())
    except (duckdb.Error, OSError):
        return {}


@dataclass(frozen=True)
class Freshness:
    """Whether a store holds its sources as they are now, and the folder it is built from."""

    folder: Path | None  # the folder it was (or, when missing, would be) built from
    stale: bool  # missing, of an older layout, or its sources' contents changed since
    note: str = ""  # said to the user when the store is served as it is, or was rebuilt
    refused: bool = False  # a build from the folder asked for would replace a store built from another
    built: bool = False


def freshness(db: Path, folder: Path | None = None, fallback: Path | None = None) -> Freshness:
    """Compare a store with the sources it was built from, by content; nothing is built.

    `folder` is a folder the caller names explicitly: a store built from another one is
    refused, never rebuilt from it. `fallback` is where a missing store (or one of a layout
    that recorded no folder) would be built from.
    """
    meta = read_meta(db) if db.exists() else {}
    recorded = provenance.recorded_folder(meta, db)
    if folder and recorded and folder.resolve() != recorded.resolve():
        return Freshness(recorded, False, f"{db.name} は別のフォルダー（{recorded.name}）の報告書から作成したデータです。"
                         f"指定されたフォルダー（{folder.name}）からは作り直しません"
                         "（作り直すには build --reports で明示してください）。", refused=True)
    source = recorded or folder or fallback
    if recorded is None or meta.get("schema_version") != str(SCHEMA_VERSION):
        return Freshness(source, True)
    if not source.is_dir():
        return Freshness(source, False, f"データの作成元のフォルダー（{source.name}）が見つからないため、作成済みのデータをそのまま使っています。")
    if meta.get("fingerprint") == fingerprint(source):
        return Freshness(source, False)
    now = provenance.Sources.of(source, meta_path())
    return Freshness(source, now != provenance.Sources.recorded(meta))


def ensure_store(folder: Path | None = None, db: Path | None = None, progress: Progress | None = None,
                 may_build: bool = True, fallback: Path | None = None, *, who: str) -> Freshness:
    """The store as it is when it holds its sources; otherwise rebuilt from its own folder.

    Never builds from a folder the store was not built from, nor where the store's folder
    cannot be written or `may_build` is false: then the store is served as it is, with a
    note saying why. BuildError when there is no store and none can be built.
    """
    db = Path(db or db_path())
    fresh = freshness(db, folder, fallback)
    if fresh.refused or not fresh.stale:
        return fresh
    why = _cannot_build(fresh.folder, db, may_build)
    if why:
        if not db.exists():
            raise BuildError.about_file(db.name, why)
        return dataclasses.replace(fresh, note=f"このデータは報告書より古い状態です（{why}）。")
    with build_lock(db):
        fresh = freshness(db, folder, fallback)  # another process may have built it while we waited
    if not fresh.stale:
        return fresh
    # A rebuild because the sources changed outside the dashboard (a report copied in by hand, an edited
    # indicator_meta.csv, or the first build): the audit log records the files it found added, removed or changed.
    before = provenance.Sources.recorded(read_meta(db))  # None when there is no store yet
    now = provenance.Sources.of(fresh.folder, meta_path())
    audited_build(fresh.folder, db, progress, who, cause="outside",
                  changes=audit.file_changes(before.digests if before else {}, now.digests))
    return dataclasses.replace(fresh, built=True, stale=False)


def audited_build(folder: Path | None, db: Path | None, progress: Progress | None, who: str,
                  **details) -> BuildResult:
    """build(), recorded in the audit log as a rebuild, done or refused, with `details` (its cause) and the digests
    of the files it read: a missing indicator metadata file was not read, so it has none."""
    folder = Path(folder or reports_dir())
    digests = audit.digests(source_files(folder) + [meta_path()])
    try:
        result = build(folder, db, progress)
    except BuildError as exc:
        audit.record("rebuild", who, "refused", findings=exc.findings, digests=digests, **details)
        raise
    audit.record("rebuild", who, "done", digests=digests, **details)
    return result


def _cannot_build(folder: Path | None, db: Path, may_build: bool) -> str:
    """Why a stale store cannot be (re)built here, in words; '' when it can."""
    if folder is None:
        return f"{db.name} の作成元の報告書フォルダーが分かりません。build --reports で作成してください"
    if not may_build:
        return "このサーバーはデータを更新しない設定です"
    if not provenance.writable(db.parent):
        return "データのフォルダーに書き込めないため、更新できません"
    return ""


# Limits for a store opened by the dashboard; connect_readonly also keeps its queries to the store alone.
READONLY_CONFIG = {"threads": "2", "memory_limit": "1GB"}


def connect_readonly(db: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the store file as it is now.

    duckdb.connect(path) hands back the database a process already has open at
    that path, so a connection opened after a rebuild would still read the old,
    replaced file for as long as any old connection lives. Instead each call gets
    its own in-memory database with the store attached read-only, and views plus
    the filter macros in its main schema, so cursors (sql.run) see the tables by
    their plain names. A connection keeps reading the file it opened even after a
    build replaces it; the next call reads the new one.
    """
    con = duckdb.connect(":memory:", config=READONLY_CONFIG)
    try:
        con.execute("ATTACH $path AS store (READ_ONLY)", {"path": str(db)})
        tables = con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'store' AND schema_name = 'main'"
        ).fetchall()
        for (table,) in tables:
            quoted = table.replace('"', '""')
            con.execute(f'CREATE VIEW main."{quoted}" AS SELECT * FROM store.main."{quoted}"')
        if {"measures", "indicators"} <= {t for (t,) in tables}:
            con.execute(SCHEMA_SQL.read_text(encoding="utf-8"))  # the filter macros, on the views
        # From here on, queries see only the store: no files (the attached store's handle stays open),
        # no extensions, and no statement can lift these settings or the memory and thread limits.
        con.execute("SET enable_external_access = false")
        con.execute("SET disabled_filesystems = 'LocalFileSystem'")
        con.execute("SET lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con


def store_identity(db: Path) -> tuple[int, int] | None:
    """Changes whenever a build replaces the file; used as the cache key."""
    try:
        st = os.stat(db)
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns)

"""Adding and removing sources: check, preview, copy in, rebuild — or change nothing.

A source in the reports folder is never modified: add refuses a different
file under an existing name, and remove moves the file to data/removed/.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from . import normalize as nz
from . import store
from .model import build_frames
from .parse import parse_bytes
from .report import Finding, ParseError, Report
from .source import MAX_REPORT_BYTES
from .template import is_template, read_template_bytes


@dataclass
class Outcome:
    ok: bool
    added: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    kept_as: str = ""  # where a removed source now lives, relative to the data folder


def check_bytes(data: bytes, name: str) -> tuple[list[Report], list[Finding]]:
    """Parse without touching anything. Unreadable input comes back as findings."""
    suffix = Path(name).suffix.lower()
    if suffix not in store.REPORT_SUFFIXES:
        return [], [Finding(name, 0, "error", f"unsupported file type {suffix or '(none)'}: expected .txt, .csv or .xlsx")]
    if len(data) > MAX_REPORT_BYTES:
        return [], [Finding(name, 0, "error", f"the file is {len(data):,} bytes: the limit is {MAX_REPORT_BYTES:,} bytes")]
    try:
        if is_template(name):
            return read_template_bytes(data, name)
        report = parse_bytes(data, name)
        return [report], report.findings
    except ParseError as exc:
        return [], exc.findings


def check_file(path: Path) -> list[Finding]:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_REPORT_BYTES:
            return [Finding(path.name, 0, "error", f"the file is {size:,} bytes: the limit is {MAX_REPORT_BYTES:,} bytes")]
        data = path.read_bytes()
    except OSError as exc:  # missing, a folder, no permission
        return [Finding(path.name, 0, "error", f"cannot read the file: {exc.strerror or exc}")]
    return check_bytes(data, path.name)[1]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _safe_name(name: str) -> str | None:
    base = Path(name).name
    if base != name or base.startswith(".") or not base:
        return None
    return base


def add_sources(items: list[tuple[str, bytes]], folder: Path | None = None, db: Path | None = None,
                progress=None) -> Outcome:
    """Check every item, copy the new ones into the folder and rebuild; on any error change nothing."""
    folder = Path(folder or store.reports_dir())
    db = Path(db or store.db_path())
    findings: list[Finding] = []
    plan: list[tuple[str, bytes]] = []
    for name, data in items:
        safe = _safe_name(name)
        if safe is None:
            findings.append(Finding(name, 0, "error", "file name must be a plain name without folders or a leading dot"))
            continue
        if any(safe == planned for planned, _ in plan):
            findings.append(Finding(safe, 0, "error", "the same file name is given twice: expected each name once"))
            continue
        found = check_bytes(data, safe)[1]
        findings.extend(found)
        dest = folder / safe
        if dest.exists():
            if _sha(dest.read_bytes()) == _sha(data):
                findings.append(Finding(safe, 0, "warning", "already in the reports folder: skipped"))
                continue
            findings.append(
                Finding(safe, 0, "error", "a different file with this name is already in the reports folder: "
                        "rename the new file (reports are never overwritten)")
            )
            continue
        plan.append((safe, data))
    if any(f.severity == "error" for f in findings):
        return Outcome(False, [], findings)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    tmp: Path | None = None
    try:
        for name, data in plan:
            tmp = folder / f".{name}.{os.getpid()}.part"
            tmp.write_bytes(data)
            os.link(tmp, folder / name)  # fails rather than overwrite if the name appeared meanwhile
            written.append(folder / name)
            tmp.unlink()
            tmp = None
        result = store.build(folder, db, progress=progress)
    except BaseException as exc:
        # Whatever went wrong (a build error, a full disk, Ctrl-C), the folder goes back as it was.
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        for path in written:
            path.unlink(missing_ok=True)
        if isinstance(exc, store.BuildError):
            return Outcome(False, [], findings + exc.findings)
        if isinstance(exc, FileExistsError):
            name = Path(exc.filename2 or exc.filename or "").name
            return Outcome(False, [], findings + [Finding(name, 0, "error", "appeared in the folder during the import")])
        raise
    return Outcome(True, [name for name, _ in plan], findings + [f for f in result.findings if f not in findings])


def add_files(paths: list[Path], folder: Path | None = None, db: Path | None = None, progress=None) -> Outcome:
    items = []
    findings = []
    for p in paths:
        try:
            if p.stat().st_size > MAX_REPORT_BYTES:
                findings.append(Finding(p.name, 0, "error", f"the file is larger than the limit of {MAX_REPORT_BYTES:,} bytes"))
                continue
            items.append((p.name, p.read_bytes()))
        except OSError as exc:
            findings.append(Finding(p.name, 0, "error", f"cannot read the file: {exc.strerror}"))
    if findings:
        return Outcome(False, [], findings)
    return add_sources(items, folder, db, progress)


def removed_dir(folder: Path) -> Path:
    return folder.parent / "removed"


def remove_source(name: str, folder: Path | None = None, db: Path | None = None, progress=None) -> Outcome:
    """Move a source out of the folder (kept in data/removed/) and rebuild; undo if the build fails."""
    folder = Path(folder or store.reports_dir())
    db = Path(db or store.db_path())
    safe = _safe_name(name)
    path = folder / safe if safe else None
    if path is None or not path.is_file():
        return Outcome(False, [], [Finding(name, 0, "error", "no such source in the reports folder")])
    if len(store.source_files(folder)) <= 1:
        return Outcome(False, [], [Finding(name, 0, "error", "cannot remove the last source: the store needs one")])
    target_dir = removed_dir(folder)
    target_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    target = target_dir / f"{stamp}_{safe}"
    os.replace(path, target)
    try:
        store.build(folder, db, progress=progress)
    except BaseException as exc:  # the source goes back whatever stopped the build
        shutil.move(target, path)
        if isinstance(exc, store.BuildError):
            return Outcome(False, [], exc.findings)
        raise
    return Outcome(True, [], [], kept_as=f"{target_dir.name}/{target.name}")


def preview(items: list[tuple[str, bytes]], folder: Path | None = None) -> dict[str, pd.DataFrame]:
    """What adding these sources would change, computed in memory: nothing is written."""
    folder = Path(folder or store.reports_dir())
    current, _ = store.load_reports(store.source_files(folder))
    new_reports = []
    for name, data in items:
        reports, _ = check_bytes(data, name)
        new_reports.extend(reports)
    before = build_frames(current)
    after = build_frames(current + new_reports)
    keys = ["municipality", "measure_id"]
    mb, ma = before["measures"], after["measures"]
    new_measures = ma.merge(mb[keys], on=keys, how="left", indicator=True)
    new_measures = new_measures[new_measures["_merge"] == "left_only"][
        ["municipality", "measure_id", "policy_name", "purpose", "reflection"]
    ]
    okeys = ["municipality", "indicator_id", "fiscal_year"]
    ob, oa = before["observations"], after["observations"]
    joined = oa.merge(ob, on=okeys, how="left", suffixes=("", "_old"), indicator=True)
    names = after["indicators"][["municipality", "indicator_id", "measure_id", "indicator", "unit"]]
    added = joined[joined["_merge"] == "left_only"].merge(names, on=["municipality", "indicator_id"])
    changed = joined[
        (joined["_merge"] == "both")
        & ((joined["value"].fillna(float("nan")) != joined["value_old"]) & ~(joined["value"].isna() & joined["value_old"].isna())
           | (joined["value_status"] != joined["value_status_old"]))
    ].merge(names, on=["municipality", "indicator_id"])
    years_before = set(ob["fiscal_year"].unique())
    new_years = sorted(set(oa["fiscal_year"].unique()) - years_before)
    return {
        "new_measures": new_measures.reset_index(drop=True),
        "new_values": added[["municipality", "measure_id", "indicator", "unit", "fiscal_label", "value", "value_status"]]
        .reset_index(drop=True),
        "revised_values": changed[
            ["municipality", "measure_id", "indicator", "unit", "fiscal_label", "value_old", "value", "source_file"]
        ]
        .rename(columns={"value_old": "old_value", "value": "new_value"})
        .reset_index(drop=True),
        "new_fiscal_years": pd.DataFrame({"fiscal_year": new_years, "fiscal_label": [nz.wareki_label(y) for y in new_years]}),
    }

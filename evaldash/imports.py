"""Adding and removing sources: check, preview, copy in, rebuild — or change nothing.

A source in the reports folder is never modified: add refuses a different
file under an existing name, and remove moves the file to data/removed/.
"""

from __future__ import annotations

import errno
import logging
import os
import secrets
import shutil
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from . import access, audit, handoff, limits, provenance, store
from . import normalize as nz
from .model import compared_frames
from .parse import parse_bytes
from .report import Finding, ParseError, Report
from .source import read_report
from .template import COLUMNS, read_columns, reports_from_columns


@dataclass
class Outcome:
    ok: bool
    added: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    kept_as: str = ""  # where a removed source now lives, relative to the data folder


def log_write(action: str, who: str, outcome: str, files: list[dict], **details) -> None:
    """One record in the audit log. A log that cannot be written is reported in the server log; the write
    it describes has already happened (or been refused) and is not undone for it."""
    try:
        audit.record(action, who, outcome, files=files, **details)
    except OSError:
        logging.getLogger("evaldash").exception("audit log %s not written: %s %s %s", audit.log_path(), action, who, outcome)


def authorize(actor: access.Actor, folder: Path, db: Path, action: str, files: list[dict]) -> str | Outcome:
    """The name the audit log gives `actor`, or, when mode or role forbid the write, the refusal as an Outcome
    (audited, nothing else written)."""
    try:
        return access.require_editor(actor, folder, db)
    except access.NotAllowed as exc:
        log_write(action, access.signed_in_email(actor.identity) or "anonymous", "refused", files, findings=[str(exc)])
        about = files[0]["name"] if len(files) == 1 else ""
        return Outcome(False, [], [limits.whole_file(shown_name(about), f"変更できません: {exc}")])


def check_bytes(data: bytes, name: str, columns: handoff.Columns | None = None, read: list | None = None
                ) -> tuple[list[Report], list[Finding]]:
    """Parse without touching anything. Unreadable input comes back as findings, at most
    limits.MAX_LISTED_FINDINGS of them and one that counts the rest. `columns`: a template's columns
    as a check of these bytes read them (handoff.read), instead of reading them again; a template's
    columns as read here are appended to `read`."""
    suffix = Path(name).suffix.lower()
    if suffix not in provenance.REPORT_SUFFIXES:
        return [], [limits.whole_file(name, f"{suffix or '拡張子なし'} のファイルは取り込めません: .txt、.csv、.xlsx のどれかが必要です")]
    try:  # each reader refuses more than source.MAX_REPORT_BYTES before reading
        if provenance.is_template(name):
            frame, found = columns or read_columns(data, name)
            if read is not None:
                read.append((frame, list(found)))
            reports, findings = reports_from_columns(frame, name, found)
        else:
            report = parse_bytes(data, name)
            reports, findings = [report], report.findings
    except ParseError as exc:
        reports, findings = [], exc.findings
    return reports, limits.capped(findings)


def _read(path: Path) -> bytes | Finding:
    """A source file's bytes (source.read_report: never more than it allows); else why not."""
    try:
        return read_report(path)
    except ParseError as exc:
        return exc.findings[0]


def check_file(path: Path) -> list[Finding]:
    data = _read(Path(path))
    return [data] if isinstance(data, Finding) else check_bytes(data, Path(path).name)[1]


def shown_name(name: str) -> str:
    """A name as findings print it: control characters escaped, long names cut."""
    text = "".join(repr(c)[1:-1] if _control(c) else c for c in name)
    return text if len(text) <= 80 else text[:77] + "…"


def _control(c: str) -> bool:
    """Line ends, NUL, format marks (bidi overrides, zero-width) and unassigned code points; a space of any
    width is a character like another."""
    return unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")


def name_problem(name: str) -> str | None:
    """Why an upload's name cannot be a file in the reports folder, in words; None when it can."""
    if any(_control(c) for c in name):
        return "ファイル名に改行・NUL などの制御文字があります: 表示できる文字だけの名前が必要です"
    if len(name) > limits.MAX_NAME_CHARS or len(name.encode("utf-8")) > limits.MAX_NAME_BYTES:
        return f"ファイル名が {len(name):,} 文字あります: {limits.MAX_NAME_CHARS} 文字までの名前が必要です"
    base = Path(name).name
    if base != name or "\\" in name or base.startswith(".") or not base.strip():
        return "ファイル名にフォルダや先頭の「.」があります: tomakomai_R2.txt のような名前だけが必要です"
    return None


def _fold(name: str) -> str:
    return nz.nfkc(name).casefold()


def _plan(items: list[tuple[str, bytes]], folder: Path, parsed: dict) -> tuple[list[tuple[str, bytes]], list[Finding]]:
    """The items to add, and the findings about all of them (names first, then contents).
    Each item's reports and findings go into `parsed`, so the build does not read it again."""
    present = {_fold(p.name): p for p in folder.iterdir()} if folder.is_dir() else {}
    findings: list[Finding] = []
    plan: list[tuple[str, bytes]] = []
    for name, data in items:
        problem = name_problem(name)
        if problem:
            findings.append(limits.whole_file(shown_name(name), problem))
            continue
        if any(_fold(name) == _fold(planned) for planned, _ in plan):
            findings.append(limits.whole_file(name, "同じ名前（大文字・小文字の違いだけを含む）が2回あります: 名前は1回ずつ必要です"))
            continue
        checked = check_bytes(data, name, handoff.read(handoff_dir(folder), data, name, COLUMNS)
                              if provenance.is_template(name) else None)
        findings.extend(checked[1])
        parsed[name] = checked
        there = present.get(_fold(name))
        if there is None:
            plan.append((name, data))
        elif there.name != name:
            findings.append(limits.whole_file(name, f"reports フォルダの {there.name} と大文字・小文字だけが違う名前です: "
                                              "別の名前にしてください（大文字・小文字を区別しない環境で上書きになります）"))
        elif there.is_file() and there.read_bytes() == data:
            findings.append(Finding(name, 0, "warning", "同じファイルが reports フォルダにあります: 取り込みを省きました"))
        else:
            findings.append(limits.whole_file(name, "同じ名前の別のファイルが reports フォルダにあります: "
                                              "新しいファイルの名前を変えてください（報告書は上書きしません）"))
    return plan, findings


def staging_dir(folder: Path) -> Path:
    """Where uploads wait, outside the reports folder, until the store that includes them is built."""
    return folder.parent / ".incoming"


def handoff_dir(folder: Path) -> Path:
    """Where the 取込 check leaves a template's columns for the add (handoff.py); not a stage: a stage is a folder."""
    return staging_dir(folder) / "checked"


def _clear_stale_stages(stages: Path) -> None:
    """Stages of an add that was killed: its process is gone, so nothing will move them in."""
    if not stages.is_dir():
        return
    for stage in stages.iterdir():
        pid = stage.name.split("-")[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(stage, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def add_sources(items: list[tuple[str, bytes]], folder: Path | None = None, db: Path | None = None,
                progress=None, *, actor: access.Actor, changes: dict | None = None) -> Outcome:
    """Check every item, build the store with the new ones, then move them into the folder; on any error
    change nothing. Only an editor (access.require_editor) may add; every attempt is one audit record.
    `changes`: the audit record's changes when the caller already previewed these items (else computed here)."""
    folder = Path(folder or store.reports_dir())
    db = Path(db or store.db_path())
    files = [audit.file_info(name, data) for name, data in items]
    who = authorize(actor, folder, db, "add", files)
    if isinstance(who, Outcome):
        return who
    outcome, state, changes = _add_checked(items, folder, db, progress, changes)
    log_write("add", who, state, files, changes=changes,
           findings=[f for f in outcome.findings if f.severity == "error"])
    return outcome


def _add_checked(items: list[tuple[str, bytes]], folder: Path, db: Path, progress, changes: dict | None
                 ) -> tuple[Outcome, str, dict | None]:
    """add_sources once allowed: the outcome, its audit word (done / refused / rolled back) and the changes.
    The uploads wait in staging_dir until the new store is in place, so a process killed at any moment
    leaves the reports folder as it was (or, between two files of one add, with some of them: each
    already checked)."""
    parsed: dict = {}
    plan, findings = _plan(items, folder, parsed)
    if any(f.severity == "error" for f in findings):
        return Outcome(False, [], limits.capped(findings)), "refused", None
    if not plan:
        return Outcome(True, [], findings), "done", None
    before = _current(folder) if changes is None else None
    stages = staging_dir(folder)
    _clear_stale_stages(stages)
    handoff.clear_stale(handoff_dir(folder))
    stage = stages / f"{os.getpid()}-{secrets.token_hex(4)}"
    stage.mkdir(parents=True)
    try:
        staged = []
        for name, data in plan:
            (stage / name).write_bytes(data)
            staged.append(stage / name)
        folder.mkdir(parents=True, exist_ok=True)
        try:
            result = store.build(folder, db, progress=progress, paths=store.source_files(folder) + staged,
                                 parsed=parsed, compared=before is not None)
        except store.BuildError as exc:
            if before is not None:
                changes = _changes_after_failure(plan, parsed, folder)
            return Outcome(False, [], limits.capped(findings + exc.findings)), "rolled back", changes
        if before is not None:
            changes = audit.changes_from_preview(compare(before, result.compared))
        moved = _move_in(staged, folder)
        if isinstance(moved, Finding):
            try:
                store.build(folder, db, progress=progress)  # the store goes back to what the folder holds
            except store.BuildError as exc:  # what was placed there does not build: the stale store says so later
                findings += exc.findings
            return Outcome(False, [], limits.capped(findings + [moved])), "rolled back", changes
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    for _, data in plan:
        handoff.discard(handoff_dir(folder), data)
    # capped lists a finding the check and the build both made once
    return Outcome(True, [name for name, _ in plan], limits.capped(findings + result.findings)), "done", changes


def _move_in(staged: list[Path], folder: Path) -> Finding | None:
    """Link each staged file into the folder; a name that appeared meanwhile undoes them all."""
    for k, path in enumerate(staged):
        try:
            _link(path, folder / path.name)
        except FileExistsError:
            for done in staged[:k]:
                (folder / done.name).unlink(missing_ok=True)
            return limits.whole_file(path.name, "取り込みの間に同じ名前のファイルが reports フォルダに置かれました: "
                                     "もう一度確かめてから取り込んでください")
    return None


def _link(source: Path, target: Path) -> None:
    """os.link never overwrites; across file systems, copy beside the target first, then link."""
    try:
        os.link(source, target)
    except OSError as exc:
        if isinstance(exc, FileExistsError) or exc.errno != errno.EXDEV:
            raise
        part = target.with_name(f".{target.name}.{os.getpid()}.part")
        shutil.copyfile(source, part)
        try:
            os.link(part, target)
        finally:
            part.unlink(missing_ok=True)


def add_files(paths: list[Path], folder: Path | None = None, db: Path | None = None, progress=None, *,
              actor: access.Actor) -> Outcome:
    """add_sources of files on disk (the command line's `add`)."""
    names = [{"name": Path(p).name, "kind": provenance.source_kind(Path(p).name)} for p in paths]
    who = authorize(actor, Path(folder or store.reports_dir()), Path(db or store.db_path()), "add", names)
    if isinstance(who, Outcome):
        return who
    items = [(Path(p).name, _read(Path(p))) for p in paths]
    findings = [data for _, data in items if isinstance(data, Finding)]
    if findings:
        log_write("add", who, "refused", names, findings=findings)
        return Outcome(False, [], findings)
    return add_sources(items, folder, db, progress, actor=actor)


def remove_source(name: str, folder: Path | None = None, db: Path | None = None, progress=None, *,
                  actor: access.Actor) -> Outcome:
    """Move a source out of the folder (kept in data/removed/) and rebuild; undo if the build fails.
    Only an editor may remove; every attempt is one audit record."""
    folder = Path(folder or store.reports_dir())
    db = Path(db or store.db_path())
    path = folder / name if name_problem(name) is None else None
    there = path is not None and path.is_file()
    files = [audit.file_info(path.name, path.read_bytes())] if there else [{"name": shown_name(name)}]
    who = authorize(actor, folder, db, "remove", files)
    if isinstance(who, Outcome):
        return who
    outcome, state = _remove_checked(name, path, folder, db, progress)
    changes = _removal_changes(name, folder.parent / outcome.kept_as, folder) if outcome.ok else None
    log_write("remove", who, state, files, findings=outcome.findings, changes=changes)
    return outcome


def _removal_changes(name: str, kept: Path, folder: Path) -> dict | None:
    """What a removal took away: the preview of adding the removed file back to the folder without it."""
    try:
        reports, _ = check_bytes(kept.read_bytes(), name)
        return audit.changes_from_removal(preview_reports(reports, folder))
    except Exception:  # the removal is done and stays done; its record then says less
        logging.getLogger("evaldash").exception("changes of removing %s not computed", name)
        return None


def _remove_checked(name: str, path: Path | None, folder: Path, db: Path, progress) -> tuple[Outcome, str]:
    if path is None or not path.is_file():
        return Outcome(False, [], [limits.whole_file(shown_name(name), "reports フォルダにこの名前のファイルはありません: "
                                                     "取込の一覧にある名前が必要です")]), "refused"
    if len(store.source_files(folder)) <= 1:
        return Outcome(False, [], [limits.whole_file(name, "最後の1つは外せません: データには報告書かテンプレートが1つ以上必要です")]), "refused"
    target_dir = folder.parent / "removed"
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}_{path.name}"
    os.replace(path, target)
    try:
        store.build(folder, db, progress=progress)
    except BaseException as exc:  # the source goes back whatever stopped the build
        shutil.move(target, path)
        if isinstance(exc, store.BuildError):
            return Outcome(False, [], exc.findings), "rolled back"
        raise
    return Outcome(True, [], [], kept_as=f"{target_dir.name}/{target.name}"), "done"


def check_and_preview(name: str, data: bytes, folder: Path | None = None
                      ) -> tuple[list[Finding], dict[str, pd.DataFrame] | None]:
    """What the 取込 page shows for one upload: the findings about its name and content, and, when it has
    no error, what adding it would change. Parses once; nothing is written."""
    folder = Path(folder or store.reports_dir())
    problem = name_problem(name)
    if problem:
        return [limits.whole_file(shown_name(name), problem)], None
    read: list = []
    reports, findings = check_bytes(data, name, read=read)
    if any(f.severity == "error" for f in findings) or not reports:
        return findings, None
    changes = preview_reports(reports, folder)
    for columns in read:  # within the bounds and without an error: worth handing to the add
        handoff.write(handoff_dir(folder), data, columns)
    return findings, changes


def _current(folder: Path) -> dict[str, pd.DataFrame]:
    """The folder's sources as a preview compares them. The build reads them again itself: what it stores
    must be the files as they are when it runs (their digests are recorded with it)."""
    with limits.bulk():
        return compared_frames(store.load_reports(store.source_files(folder))[0])


def _changes_after_failure(plan: list[tuple[str, bytes]], parsed: dict, folder: Path) -> dict | None:
    """A rolled-back add's record says what it would have changed, when that can still be worked out."""
    try:
        return audit.changes_from_preview(preview_reports([r for name, _ in plan for r in parsed[name][0]], folder))
    except Exception:
        logging.getLogger("evaldash").exception("changes of a failed add not computed")
        return None


def preview_reports(new_reports: list[Report], folder: Path) -> dict[str, pd.DataFrame]:
    """What adding these reports to the folder's sources would change."""
    with limits.bulk():
        current, _ = store.load_reports(store.source_files(folder))
        return compare(compared_frames(current), compared_frames(current + new_reports))


def compare(before: dict[str, pd.DataFrame], after: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """What the sources of `after` add to those of `before` (each as model.compared_frames makes them)."""
    keys = ["municipality", "measure_id"]
    mb, ma = before["measures"], after["measures"]
    new_measures = ma.merge(mb[keys], on=keys, how="left", indicator=True)
    new_measures = new_measures[new_measures["_merge"] == "left_only"][
        ["municipality", "measure_id", "policy_name", "purpose", "reflection"]
    ]
    okeys = ["municipality", "indicator_id", "fiscal_year"]
    ob, oa = before["observations"], after["observations"]
    # Only a value of an indicator already there can be revised: the join looks at those alone (an upload's
    # million new values need no join), and keeps their order.
    known = oa["indicator_id"].isin(ob["indicator_id"]).to_numpy()
    joined = oa[known].merge(ob, on=okeys, how="left", suffixes=("", "_old"), indicator=True)
    new = ~known
    new[known] = (joined["_merge"] == "left_only").to_numpy()
    names = after["indicators"][["municipality", "indicator_id", "measure_id", "indicator", "unit"]]
    added = oa.loc[new, ["municipality", "indicator_id", "fiscal_label", "value", "value_status"]].merge(
        names, on=["municipality", "indicator_id"])
    changed = joined[
        (joined["_merge"] == "both")
        & ((joined["value"] != joined["value_old"]) & ~(joined["value"].isna() & joined["value_old"].isna())
           | (joined["value_status"] != joined["value_status_old"]))
    ].merge(names, on=["municipality", "indicator_id"])
    new_years = sorted(set(oa["fiscal_year"].unique()) - set(ob["fiscal_year"].unique()))
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

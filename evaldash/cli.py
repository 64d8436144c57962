"""python -m evaldash build | check | add | remove | export | deck | log"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from . import access, audit, imports, store
from .report import Finding, ParseError


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _print_findings(findings: list[Finding]) -> None:
    for f in findings:
        print(f, file=sys.stderr)


def cmd_build(args) -> int:
    try:
        result = store.audited_build(args.reports, args.db, _progress, access.cli_name(), cause="command")
    except store.BuildError as exc:
        _print_findings(exc.findings)
        print("作成できませんでした: データは変わっていません", file=sys.stderr)
        return 1
    _print_findings(result.findings)
    print(f"{result.db_path.name} を作成しました: 報告書 {result.reports} 件、{result.rows:,} 行、{result.seconds:.2f} 秒",
          file=sys.stderr)
    return 0


def cmd_check(args) -> int:
    """Findings go to stdout, one `file:line: エラー|注意: message` per line (a finding about the whole
    file has no line), with the file as given on the command line so an editor can jump to it."""
    failed = False
    for path in args.files:
        findings = imports.check_file(Path(path))
        for f in findings:
            print(dataclasses.replace(f, file=str(path)) if f.file == Path(path).name else f)
        failed |= any(f.severity == "error" for f in findings)
        if not findings:
            print(f"{path}: 問題ありません", file=sys.stderr)
    return 1 if failed else 0


def cmd_add(args) -> int:
    outcome = imports.add_files([Path(p) for p in args.files], args.reports, args.db, progress=_progress,
                                actor=access.cli_actor())
    _print_findings(outcome.findings)
    if not outcome.ok:
        print("取り込みませんでした: reports フォルダもデータも変わっていません", file=sys.stderr)
        return 1
    print(f"取り込みました: {'、'.join(outcome.added) or '新しいファイルはありません'}（データを作り直しました）", file=sys.stderr)
    return 0


def cmd_remove(args) -> int:
    outcome = imports.remove_source(args.name, args.reports, args.db, progress=_progress, actor=access.cli_actor())
    _print_findings(outcome.findings)
    if outcome.ok:
        print(f"{args.name} を取り除きました（{outcome.kept_as} に保管。データを作り直しました）", file=sys.stderr)
    return 0 if outcome.ok else 1


def _named_store(args) -> Path | None:
    """The store the command names, as it is, or rebuilt from its own folder when its sources changed.

    A store given with --db is never rebuilt from the default folder: without --reports it is
    (re)built only from the folder it records; with --reports, only if that is the same folder.
    """
    db = Path(args.db or store.db_path())
    fallback = args.reports or (None if args.db else store.reports_dir())
    try:
        fresh = store.ensure_store(args.reports, db, progress=_progress, fallback=fallback, who=access.cli_name())
    except store.BuildError as exc:
        _print_findings(exc.findings)
        return None
    if fresh.refused:
        print(fresh.note, file=sys.stderr)
        return None
    if fresh.built:
        print(f"{db.name} を {fresh.folder} の報告書から作り直しました（報告書が変わっていたため）", file=sys.stderr)
    elif fresh.note:
        print(fresh.note, file=sys.stderr)
    return db


def cmd_export(args) -> int:
    from .export import flat_export

    db = _named_store(args)
    if db is None:
        return 1
    if args.format != "csv" and not args.out:
        print(f"--format {args.format} には --out で書き出すファイルが必要です", file=sys.stderr)
        return 2
    flat_export(db, args.format, Path(args.out) if args.out else sys.stdout, bom=args.bom, headers=args.headers)
    if args.out:
        print(f"{Path(args.out)} に書き出しました", file=sys.stderr)
    return 0


def cmd_deck(args) -> int:
    from .export.deck import deck_from_store

    db = _named_store(args)
    if db is None:
        return 1
    slides = deck_from_store(
        db, Path(args.out), policies=args.policy or [], measures=args.measure or [], reflections=args.reflection or [],
        per=args.per, title=args.title,
    )
    if slides == 0:
        print("条件に合う指標がないため、スライドは作りませんでした", file=sys.stderr)
        return 1
    print(f"{args.out} に書き出しました（スライド {slides} 枚）", file=sys.stderr)
    return 0


def cmd_log(args) -> int:
    """The audit log, newest first, in the 取込 page's words and with the SHA-256 of each file a rebuild read (--json:
    each record as written); unreadable lines are reported on stderr and the rest printed."""
    got = audit.read(args.log)
    for problem in got.problems:
        print(problem, file=sys.stderr)
    records = got.records[: args.limit]  # a limit of None slices them all
    if args.json:
        for entry in records:
            print(json.dumps(entry, ensure_ascii=False))
    else:  # the 取込 page's table of them, made only for the text
        for entry, row in zip(records, audit.table(records).to_dict("records")):
            lines = ["  ".join(str(row[key]) for key in ("when", "who", "action", "outcome", "files") if row[key])]
            lines += [f"    {audit.HEADINGS[key]}: {row[key]}" for key in ("changes", "findings") if row[key]]
            lines += [f"    {name} SHA-256 {digest}" for name, digest in (entry.get("digests") or {}).items()]
            print("\n".join(lines))
    if not got.records and not got.problems:
        print(f"{args.log or audit.log_path()} に記録はありません", file=sys.stderr)
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m evaldash", description="施策評価ダッシュボード: build, check and export the store")
    sub = p.add_subparsers(dest="command", required=True)

    def command(name: str, func, help: str, on_store: bool = True) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help)
        sp.set_defaults(func=func)
        if on_store:
            sp.add_argument("--reports", type=Path, default=None, help="reports folder (default data/reports/)")
            sp.add_argument("--db", type=Path, default=None, help="store file (default data/evaldash.duckdb)")
        return sp

    command("build", cmd_build, "rebuild the store from every report in the folder")
    sp = command("check", cmd_check, "parse and validate only; exit 1 on any error", on_store=False)
    sp.add_argument("files", nargs="+")
    command("add", cmd_add, "check, copy into the reports folder, rebuild").add_argument("files", nargs="+")

    sp = command("remove", cmd_remove, "take a source out of the reports folder (kept in data/removed/) and rebuild")
    sp.add_argument("name", help="file name as listed in the reports folder")

    sp = command("export", cmd_export, "write the flat indicator table")
    sp.add_argument("--format", choices=["csv", "parquet", "xlsx"], default="csv")
    sp.add_argument("--out", default=None, help="output file (CSV goes to stdout without it)")
    sp.add_argument("--bom", action="store_true", help="start CSV with a UTF-8 BOM so Excel reads Japanese")
    sp.add_argument("--headers", choices=["en", "ja"], default="en",
                    help="column names: the documented English names (default) or their Japanese names")

    sp = command("deck", cmd_deck, "write a PowerPoint deck with native charts")
    sp.add_argument("--out", required=True)
    sp.add_argument("--policy", type=int, action="append", help="運営方針 number (repeatable)")
    sp.add_argument("--measure", action="append", help="施策番号 (repeatable)")
    sp.add_argument("--reflection", action="append", help="反映区分 letter (repeatable)")
    sp.add_argument("--per", choices=["indicator", "measure"], default="indicator",
                    help="one slide per indicator (default) or per measure")
    sp.add_argument("--title", default=None, help="title of the first slide (default 施策評価)")

    sp = command("log", cmd_log, "print the audit log of adds, removes and rebuilds, newest first", on_store=False)
    sp.add_argument("--log", type=Path, default=None, help="log file (default data/audit.log, or EVALDASH_AUDIT_LOG)")
    sp.add_argument("--limit", type=int, default=None, help="print only the newest N records")
    sp.add_argument("--json", action="store_true", help="one JSON object per line instead of text")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except ParseError as exc:  # a file we could not read at all
        _print_findings(exc.findings)
        return 1
    except BrokenPipeError:  # `export | head`
        return 0

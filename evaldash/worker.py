"""Check and build in a child process with a memory and a time limit.

The server stays up whatever an upload holds: a child that runs out of memory or
time is ended, and that becomes a finding shown like any other.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import resource
from pathlib import Path

import pandas as pd

from . import access, audit, imports, limits, store
from .report import Finding

MEMORY_MB = int(os.environ.get("EVALDASH_WORKER_MEMORY_MB") or 4096)  # address space of the child
SECONDS = float(os.environ.get("EVALDASH_WORKER_SECONDS") or 300)


def check_upload(name: str, data: bytes, folder: Path | None = None
                 ) -> tuple[list[Finding], dict[str, pd.DataFrame] | None]:
    """imports.check_and_preview of one upload, in a limited child process: the findings, and the preview (None
    when the upload has an error, as a breach is)."""
    result = run_limited(imports.check_and_preview, (name, data, folder), name)
    return ([result], None) if isinstance(result, Finding) else result


def add_uploads(items: list[tuple[str, bytes]], folder: Path | None = None, db: Path | None = None, *,
                actor: access.Actor, changes: dict | None = None) -> imports.Outcome:
    """imports.add_sources in a limited child: a breach changes nothing (the upload is still staged
    outside the reports folder when the child is ended). The child checks `actor` again; a refusal is
    answered here first, without starting it."""
    folder = Path(folder or store.reports_dir())
    db = Path(db or store.db_path())
    files = [audit.file_info(name, data) for name, data in items]
    who = imports.authorize(actor, folder, db, "add", files)
    if isinstance(who, imports.Outcome):
        return who
    label = items[0][0] if len(items) == 1 else f"{len(items)} ファイル"
    add = functools.partial(imports.add_sources, actor=actor, changes=changes)
    result = run_limited(add, (items, folder, db), label)
    if isinstance(result, Finding):
        imports.log_write("add", who, "rolled back", files, findings=[result])
        return imports.Outcome(False, [], [result])
    return result


def run_limited(func, args: tuple, name: str):
    """func(*args) in a child; its result, or a Finding when the child breaks a limit (MEMORY_MB, SECONDS) or fails."""
    context = multiprocessing.get_context("forkserver")
    # Children fork from a server that has imported the readers once: no import time per upload,
    # and none of the web server's threads or open files are copied into them.
    context.set_forkserver_preload(["evaldash.imports", "evaldash.template", "evaldash.export.views"])
    receive, send = context.Pipe(duplex=False)
    settings = {k: v for k, v in os.environ.items() if k.startswith("EVALDASH_")}
    child = context.Process(target=_child, args=(send, MEMORY_MB * 2**20, func, args, settings), daemon=True)
    child.start()
    send.close()
    try:
        if not receive.poll(SECONDS):
            return _breach(name, f"{SECONDS:g} 秒の時間の上限を超えたので止めました")
        status, value = receive.recv()
    except EOFError:  # the child died without a word: the kernel ended it for its memory
        status, value = "memory", None
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receive.close()
    if status == "memory":
        return _breach(name, f"メモリの上限 {MEMORY_MB:,} MB を超えたので止めました")
    if status == "failed":
        return _breach(name, f"処理中に止まりました（{value}）")
    return value


def _breach(name: str, what: str) -> Finding:
    return limits.whole_file(name, f"{what}: 何も変更していません。ファイルを分けるか小さくしてください")


def _child(send, memory: int, func, args: tuple, settings: dict[str, str]) -> None:
    # The fork server's environment is that of the first upload: take this request's settings
    # (mode, editors, folders, the audit log), so the child decides and records as the server does now.
    for key in [k for k in os.environ if k.startswith("EVALDASH_")]:
        del os.environ[key]
    os.environ.update(settings)
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    try:
        # The child does one task and ends: the cyclic collector would only scan, again and again, the million
        # objects a large upload makes, as each step that makes them ends (limits.bulk), for garbage the end frees.
        with limits.bulk():
            result = ("ok", func(*args))
    except MemoryError:
        result = ("memory", None)
    except Exception as exc:  # anything else is still a finding, never a traceback on the page
        result = ("failed", type(exc).__name__)
    try:
        send.send(result)
    except MemoryError:
        send.send(("memory", None))
    send.close()

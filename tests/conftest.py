"""Shared fixtures: the bundled report, its parse, and stores built in temp folders.

Nothing here writes under data/: stores go to pytest's tmp folders, and a
session check fails the run if the bundled report changed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from evaldash import store
from evaldash.parse import parse_file

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "data" / "reports"
SEED = REPORTS / "tomakomai_R1.txt"


def digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def folder_state(folder: Path) -> dict[str, str]:
    """Every file under a folder with its sha256: equal states mean byte-identical folders."""
    return {str(p.relative_to(folder)): digest(p) for p in sorted(Path(folder).rglob("*")) if p.is_file()}


@pytest.fixture(scope="session", autouse=True)
def audit_log_outside_the_repo(tmp_path_factory):
    """Every write is audited: tests (and the servers and commands they start) append to a temp log."""
    path = tmp_path_factory.mktemp("audit") / "audit.log"
    old = os.environ.get("EVALDASH_AUDIT_LOG")
    os.environ["EVALDASH_AUDIT_LOG"] = str(path)
    yield path
    if old is None:
        os.environ.pop("EVALDASH_AUDIT_LOG", None)
    else:
        os.environ["EVALDASH_AUDIT_LOG"] = old


@pytest.fixture(scope="session", autouse=True)
def bundled_reports_untouched():
    """The reports in data/reports are the data of record: no test may change them."""
    before = folder_state(REPORTS)
    yield
    assert folder_state(REPORTS) == before, "a test modified data/reports"


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_report():
    return parse_file(SEED)


@pytest.fixture(scope="session")
def store_db(tmp_path_factory) -> Path:
    """A store built once from data/reports into a temp folder; open it with store.connect_readonly."""
    db = tmp_path_factory.mktemp("store") / "evaldash.duckdb"
    store.build(REPORTS, db)
    return db


@pytest.fixture
def con(store_db):
    """A read-only connection to the shared test store, as the dashboard opens it."""
    c = store.connect_readonly(store_db)
    yield c
    c.close()


@pytest.fixture
def reports_dir(tmp_path) -> Path:
    """A writable copy of data/reports, for tests that add, remove or break reports."""
    folder = tmp_path / "reports"
    shutil.copytree(REPORTS, folder)
    return folder


def run_cli(*args: str, cwd: Path = ROOT, timeout: float = 120) -> subprocess.CompletedProcess:
    """`python -m evaldash ARGS` in a fresh interpreter; tests pass --reports/--db into tmp_path."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    return subprocess.run(
        [sys.executable, "-m", "evaldash", *map(str, args)],
        cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8", timeout=timeout,
    )

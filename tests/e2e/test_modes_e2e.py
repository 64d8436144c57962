"""A real server in read-only mode, and one in open mode listening on every address (reached here through
127.0.0.1): no 取込 in the navigation, its URL refused, the data byte-identical after every attempt, and no page
view rebuilds the store when a report changed."""

from __future__ import annotations

import os
import sys

import pytest

from evaldash import audit
from tests.conftest import folder_state

from . import server
from .conftest import copy_reports, new_context, open_app

pytestmark = pytest.mark.browser

MODES = {
    "read-only": ({"EVALDASH_MODE": "read-only"}, "127.0.0.1", "読み取り専用モード"),
    "open-on-every-address": ({"EVALDASH_MODE": "open"}, "0.0.0.0", "読み取り専用で起動"),
}


@pytest.fixture(scope="module", params=list(MODES), ids=list(MODES))
def served(request, tmp_path_factory):
    env_extra, address, reason = MODES[request.param]
    base = tmp_path_factory.mktemp(f"mode-{request.param}")
    reports, db = copy_reports(base)
    log = base / "audit.log"
    port = server.free_port()
    env = {**os.environ, "EVALDASH_REPORTS": str(reports), "EVALDASH_DB": str(db),
           "EVALDASH_AUDIT_LOG": str(log), **env_extra}
    cmd = [sys.executable, "-m", "streamlit", "run", str(server.ROOT / "dashboard.py"), "--server.port", str(port),
           "--server.address", address, "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    url = f"http://127.0.0.1:{port}"
    with server.running_command(cmd, f"{url}/_stcore/health", base / "server.log", env=env):
        yield url, reports, db, log, reason


@pytest.fixture
def tab(browser, served):
    ctx = new_context(browser)
    page = ctx.new_page()
    yield page
    ctx.close()


def state(reports, db) -> tuple:
    return folder_state(reports), audit.digests([db])


def test_no_import_and_nothing_changes(tab, served):
    url, reports, db, log, reason = served
    before = state(reports, db)
    open_app(tab, url)
    nav = tab.locator(server.NAV_LINKS)
    assert nav.get_by_text("推移").count() == 1, "the navigation is drawn"
    assert nav.get_by_text("取込").count() == 0
    open_app(tab, f"{url}/import")
    text = server.main_text(tab)
    assert reason in text, text
    assert tab.locator("[data-testid=stFileUploaderDropzoneInput]").count() == 0
    assert tab.get_by_role("button", name="取り除く").count() == 0
    assert state(reports, db) == before


def test_a_changed_report_is_not_rebuilt_by_a_page_view(tab, served):
    url, reports, db, log, _ = served
    report = reports / "tomakomai_R1.txt"
    report.write_bytes(report.read_bytes() + "\n".encode())  # changed content, as by a hand copy
    before = state(reports, db)
    open_app(tab, url)
    open_app(tab, f"{url}/trends")
    assert state(reports, db) == before, "a page view rebuilt the store"
    assert not [r for r in audit.read(log).records if r["action"] == "rebuild"]

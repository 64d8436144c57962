"""One writer and one viewer behind the shipped Caddyfile, on the same data folder: an editor imports a report
through the writer at /hyoka-edit/, and a session already open on the viewer at /hyoka/ shows it at its next
rerun, while the viewer itself writes nothing.

The writer runs signed-in with the identity in a trusted header (the proxy route of docs/deploying.md); here
the browser sends the header and Caddy passes it on, standing in for a proxy that signs people in.
The viewer runs read-only. A replica killed behind the proxy is tests/e2e/test_proxy_e2e.py's.
"""

from __future__ import annotations

import contextlib
import json

import pytest

from evaldash import audit
from tests.conftest import folder_state

from ..pages.test_imports_page import next_year_report
from . import proxy, server
from .conftest import assert_no_error, copy_reports, new_context
from .test_import_e2e import confirm, upload

pytestmark = pytest.mark.browser

EDITOR = "suisin@city.example.jp"
VIEWER = "giin@city.example.jp"
HEADER = "X-Forwarded-Email"
GROWTH_R2 = "R1年度の68人からR2年度の75人へ7人増加"  # 女性人材バンク登録者数 once next year's report is in


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    """(proxy URL, reports folder, store, audit log) of a writer and a viewer replica behind Caddy."""
    if not proxy.caddy_path():
        pytest.fail("caddy not found: install Debian's caddy (scripts/test.sh does)", pytrace=False)
    base = tmp_path_factory.mktemp("writer-viewer")
    reports, db = copy_reports(base)
    log = base / "audit.log"
    writer_env = {"EVALDASH_AUDIT_LOG": str(log), "EVALDASH_MODE": "signed-in", "EVALDASH_EDITORS": EDITOR,
                  "STREAMLIT_SERVER_TRUSTED_USER_HEADERS": json.dumps({HEADER: "email"})}
    viewer_env = {"EVALDASH_AUDIT_LOG": str(log), "EVALDASH_MODE": "read-only"}
    with contextlib.ExitStack() as stack:
        writer, viewer = server.free_port(), server.free_port()
        stack.enter_context(server.running_server(reports, db, base / "writer.log", writer_env,
                                                  base_path="hyoka-edit", port=writer))
        stack.enter_context(server.running_server(reports, db, base / "viewer.log", viewer_env,
                                                  base_path="hyoka", port=viewer))
        url, _ = stack.enter_context(proxy.running_caddy([f"127.0.0.1:{viewer}"], f"127.0.0.1:{writer}",
                                                         base / "caddy", base / "caddy.log"))
        yield url, reports, db, log


def _tab(browser, email: str | None = None):
    headers = {HEADER: email} if email else {}
    ctx = new_context(browser, ignore_https_errors=True, extra_http_headers=headers)
    return ctx, ctx.new_page()


def _state(reports, db) -> tuple:
    return folder_state(reports), audit.digests([db])


def test_an_import_on_the_writer_reaches_an_open_viewer_session_at_its_next_rerun(browser, deployment):
    url, reports, db, log = deployment
    viewer_ctx, viewer = _tab(browser)
    editor_ctx, editor = _tab(browser, EDITOR)
    try:
        viewer.goto(f"{url}/hyoka/trends?q=女性人材バンク")
        server.wait_for_app(viewer, 60000)
        assert "H30年度の47人からR1年度の68人へ21人増加" in server.main_text(viewer)
        assert GROWTH_R2 not in server.main_text(viewer)
        assert viewer.locator(server.NAV_LINKS).get_by_text("推移").count() == 1, "the list of pages is drawn"
        assert viewer.locator(server.NAV_LINKS).get_by_text("取込").count() == 0

        editor.goto(f"{url}/hyoka-edit/import")
        server.wait_for_app(editor, 60000)
        # The writer's first request names a page: routed by the page's file name, no "Page not found" dialog.
        assert editor.get_by_role("dialog").count() == 0, editor.get_by_role("dialog").all_inner_texts()
        assert f"{EDITOR}（編集者）" in editor.locator("[data-testid=stSidebar]").inner_text()
        upload(editor, "r2_report.txt", next_year_report(), "text/plain")
        assert "取り込みました: r2_report.txt" in confirm(editor)
        assert (reports / "r2_report.txt").read_bytes() == next_year_report()
        imported = _state(reports, db)

        # The viewer's session, still open, reruns (to 概要 and back, the keyword kept) and reads the new store.
        nav = viewer.locator(server.NAV_LINKS)
        server.rerun(viewer, lambda: nav.get_by_text("概要").click())
        server.rerun(viewer, lambda: nav.get_by_text("推移").click())
        assert "「女性人材バンク」を含む" in server.main_text(viewer), "the page switch dropped the filter"
        assert GROWTH_R2 in server.main_text(viewer), server.main_text(viewer)
        assert_no_error(viewer)
        assert _state(reports, db) == imported, "the viewer replica wrote to the data folder"
    finally:
        viewer_ctx.close()
        editor_ctx.close()
    records = audit.read(log).records
    assert [(r["action"], r["who"], r["outcome"]) for r in records] == [("add", EDITOR, "done")], records


def test_a_viewer_on_the_writer_route_cannot_import(browser, deployment):
    url, reports, db, _ = deployment
    before = _state(reports, db)
    ctx, page = _tab(browser, VIEWER)
    try:
        page.goto(f"{url}/hyoka-edit/import")
        server.wait_for_app(page, 60000)
        assert f"{VIEWER} は閲覧者です" in server.main_text(page)
        assert page.locator("[data-testid=stFileUploaderDropzoneInput]").count() == 0
        assert page.locator(server.NAV_LINKS).get_by_text("推移").count() == 1, "the list of pages is drawn"
        assert page.locator(server.NAV_LINKS).get_by_text("取込").count() == 0
    finally:
        ctx.close()
    assert _state(reports, db) == before

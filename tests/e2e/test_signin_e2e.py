"""The dashboard in the signed-in mode against a real OpenID Connect provider: the sign-in screen, the link
opened kept through sign-in, a viewer without 取込 (its URL refused), an editor with it, and sign-out."""

from __future__ import annotations

import os
import sys
import urllib.parse

import pytest

from . import oidc, server
from .conftest import copy_reports, new_context

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def signed_in_app(tmp_path_factory):
    base = tmp_path_factory.mktemp("signed-in")
    with oidc.running_provider(base / "provider.log") as issuer:
        reports, db = copy_reports(base)
        port = server.free_port()
        url = f"http://127.0.0.1:{port}"
        secrets_file = oidc.write_secrets(base / "secrets.toml", url, issuer)
        env = {**os.environ, "EVALDASH_REPORTS": str(reports), "EVALDASH_DB": str(db), "EVALDASH_MODE": "signed-in",
               "EVALDASH_EDITORS": "", "EVALDASH_EDITOR_GROUPS": "seisaku-suishin",
               "EVALDASH_AUDIT_LOG": str(base / "audit.log")}
        cmd = [sys.executable, "-m", "streamlit", "run", str(server.ROOT / "dashboard.py"), "--server.port", str(port),
               "--server.headless", "true", "--browser.gatherUsageStats", "false", "--secrets.files", str(secrets_file)]
        with server.running_command(cmd, f"{url}/_stcore/health", base / "server.log", env=env):
            yield url


def sign_in(page, url: str, sub: str) -> None:
    page.get_by_role("button", name="サインイン").click()
    oidc.sign_in(page, sub)
    page.wait_for_url(f"{url}/**", timeout=30000)
    page.locator(server.NAV_LINKS).first.wait_for(timeout=30000)
    server.wait_for_app(page, 60000)


def test_a_viewer_lands_on_the_link_opened_and_has_no_import(browser, signed_in_app):
    url = signed_in_app
    ctx = new_context(browser)
    page = ctx.new_page()
    try:
        page.goto(f"{url}/trends?q=%E5%A5%B3%E6%80%A7")  # 推移, filtered by 女性
        server.wait_for_app(page)
        text = server.main_text(page)
        assert "サインインして使います" in text and "女性人材バンク" not in text
        sign_in(page, url, oidc.VIEWER["sub"])
        # st.switch_page moves within the app (history API): no page load to wait for.
        page.wait_for_function("() => location.pathname.endsWith('/trends')", timeout=30000)
        assert urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)["q"] == ["女性"]
        server.wait_for_app(page, 60000)
        assert "女性人材バンク" in server.main_text(page)
        nav = page.locator(server.NAV_LINKS)
        assert nav.get_by_text("推移").count() == 1 and nav.get_by_text("取込").count() == 0
        assert "giin@city.example.jp（閲覧者）" in page.locator("[data-testid=stSidebar]").inner_text()
        page.goto(f"{url}/import")
        server.wait_for_app(page)
        assert "閲覧者です" in server.main_text(page)
        assert page.locator("[data-testid=stFileUploaderDropzoneInput]").count() == 0
    finally:
        ctx.close()


def test_an_editor_has_import_and_signs_out(browser, signed_in_app):
    url = signed_in_app
    ctx = new_context(browser)
    page = ctx.new_page()
    try:
        page.goto(url)
        server.wait_for_app(page)
        sign_in(page, url, oidc.EDITOR["sub"])
        assert page.locator(server.NAV_LINKS).get_by_text("取込").count() == 1
        page.goto(f"{url}/import")
        server.wait_for_app(page, 60000)
        assert page.locator("[data-testid=stFileUploaderDropzoneInput]").count() == 1
        assert "変更の記録" in server.main_text(page)
        page.get_by_role("button", name="サインアウト").click()
        oidc.confirm_sign_out(page)
        page.get_by_text("サインインして使います").wait_for(timeout=30000)
        assert not [c for c in ctx.cookies() if c["name"].startswith("_streamlit_user")]
    finally:
        ctx.close()

"""st.login against a real OpenID Connect provider on a loopback port: the configuration works.

A minimal app (written here, not the dashboard) shows what st.user carries after sign-in, so the
[auth] settings of docs/deploying.md are checked end to end: redirect, callback, claims, sign-out.
"""

from __future__ import annotations

import sys

import pytest

from . import oidc, server
from .conftest import new_context

APP = """
import streamlit as st

if st.user.is_logged_in:
    st.write(f"EMAIL={st.user.email}")
    st.write(f"GROUPS={','.join(st.user.get('groups') or [])}")
    st.button("sign out", on_click=st.logout)
else:
    st.write("SIGNED-OUT")
    st.button("sign in", on_click=st.login)
"""


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    with oidc.running_provider(tmp_path_factory.mktemp("oidc") / "provider.log") as issuer:
        yield issuer


@pytest.fixture(scope="module")
def login_app(provider, tmp_path_factory):
    base = tmp_path_factory.mktemp("login")
    (base / "app.py").write_text(APP, encoding="utf-8")
    port = server.free_port()
    url = f"http://127.0.0.1:{port}/hyoka"
    secrets_file = oidc.write_secrets(base / "secrets.toml", url, provider)
    cmd = [sys.executable, "-m", "streamlit", "run", str(base / "app.py"), "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--server.baseUrlPath", "hyoka", "--secrets.files", str(secrets_file)]
    with server.running_command(cmd, f"{url}/_stcore/health", base / "app.log", cwd=base):
        yield url


def test_provider_publishes_its_metadata(provider):
    import json
    import urllib.request

    with urllib.request.urlopen(f"{provider}/.well-known/openid-configuration", timeout=5) as r:
        meta = json.load(r)
    assert meta["issuer"] == provider
    assert meta["authorization_endpoint"].startswith(provider)


def test_st_login_signs_in_and_out_through_the_provider(browser, login_app):
    ctx = new_context(browser)
    page = ctx.new_page()
    try:
        page.goto(login_app)
        server.wait_for_app(page)
        assert "SIGNED-OUT" in server.main_text(page)
        page.get_by_role("button", name="sign in").click()
        oidc.sign_in(page, oidc.EDITOR["sub"])
        page.wait_for_url(f"{login_app}/**", timeout=30000)
        page.get_by_text("EMAIL=").wait_for(timeout=30000)
        server.wait_for_app(page)
        text = server.main_text(page)
        assert f"EMAIL={oidc.EDITOR['email']}" in text
        assert "GROUPS=seisaku-suishin" in text
        assert [c for c in ctx.cookies() if c["name"].startswith("_streamlit_user")]
        page.get_by_role("button", name="sign out").click()
        oidc.confirm_sign_out(page)
        page.get_by_text("SIGNED-OUT").wait_for(timeout=30000)
        assert not [c for c in ctx.cookies() if c["name"].startswith("_streamlit_user")]
    finally:
        ctx.close()

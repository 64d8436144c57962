"""Signing in and out: the sign-in screen of the signed-in mode, who is signed in (sidebar), and the link a person
opened, kept across st.login.

st.login sends the person to the provider and back to the app's root, and the session that comes back is a new
one. So before st.login the page and its filters are kept on the server for a few minutes, under a digest of the
browser's XSRF token (sent again by the same browser when it comes back, and never shown to anyone else); the
first run signed in takes them back and opens that page with those filters.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Mapping

import streamlit as st
from streamlit.web.server.starlette.starlette_app_utils import decode_xsrf_token_string

from .. import access
from .navigation import PAGES
from .text import md_escape

KEEP_SECONDS = 600  # long enough to type a password and answer a second factor
BROWSER_COOKIE = "_streamlit_xsrf"


@st.cache_resource(show_spinner=False)
def _kept() -> tuple[dict, threading.Lock]:
    """cookie value -> (time kept, page name, query parameters), shared by the sessions of this server."""
    return {}, threading.Lock()


def _browser() -> str:
    return browser_key(st.context.cookies.get(BROWSER_COOKIE))


def browser_key(raw) -> str:
    """A key for a browser: a digest of its XSRF token. The cookie is sent again with a fresh random
    mask on every page load ("2|mask|masked token|time"), so the token is unmasked first, by Streamlit's
    own reader of the cookie it sets; the kept links are keyed by its digest, never by the token itself."""
    # No cookie (None; in AppTest, which has no browser, a mock): no token, and nothing decoded on every rerun.
    token, _ = decode_xsrf_token_string(raw if isinstance(raw, str) else "")
    return hashlib.sha256(token).hexdigest() if token else ""


def _page_name(page) -> str:
    """The registry's name of the page st.navigation chose (the default page has the root path)."""
    path = page.url_path or None
    return next((name for name, p in PAGES.items() if p.url_path == path), "")


def keep_link(page, params: Mapping[str, str]) -> None:
    """Remember the page and filters this browser asked for, unless the browser cannot be told apart."""
    browser = _browser()
    if not browser:
        return
    kept, lock = _kept()
    now = time.monotonic()
    with lock:
        for key in [k for k, (when, _, _) in kept.items() if now - when > KEEP_SECONDS]:
            del kept[key]
        kept[browser] = (now, _page_name(page), dict(params))


def providers() -> list[str | None]:
    """The sign-in providers in .streamlit/secrets.toml [auth]: each named section, or the single unnamed one."""
    try:
        auth = st.secrets.get("auth")
    except Exception:  # no secrets file at all: Streamlit raises its own not-found error
        return []
    if not isinstance(auth, Mapping):
        return []
    named = [key for key, value in auth.items() if isinstance(value, Mapping)]
    if named:
        return named
    return [None] if "client_id" in auth or "server_metadata_url" in auth else []


def sign_in_screen(page) -> None:
    """All a person sees in the signed-in mode before signing in."""
    st.title("施策評価ダッシュボード")
    st.info("このダッシュボードはサインインして使います。所属の組織のアカウントでサインインしてください。",
            icon=":material/lock:")
    found = providers()
    if not found:
        st.warning("サインインの設定（.streamlit/secrets.toml の [auth]）が見つかりません。管理者に連絡してください。")
        return
    for provider in found:
        label = "サインイン" if len(found) == 1 else f"サインイン（{provider}）"  # the unnamed one is alone
        if st.button(label, type="primary", icon=":material/login:", key=f"sign_in_{provider or ''}"):
            keep_link(page, st.query_params.to_dict())
            st.login(provider)  # None: the single unnamed provider


def return_to_link(page) -> None:
    """Signed in and back at the root: open the page and filters this browser asked for before signing in, once."""
    kept, lock = _kept()
    with lock:
        entry = kept.pop(_browser(), None)  # keep_link keeps nothing for a browser it cannot tell apart ("")
    if entry is None or time.monotonic() - entry[0] > KEEP_SECONDS or entry[1] not in PAGES:
        return
    _, name, params = entry
    if name != _page_name(page) or params != st.query_params.to_dict():
        st.switch_page(PAGES[name].file, query_params=params)


def sidebar_identity(decided: access.Access, identity: Mapping) -> None:
    """Who is signed in and with which role; the sign-out button for st.login (a proxy signs out itself)."""
    if decided.mode != "signed-in" or not decided.who:
        return
    role = "編集者" if access.is_editor(access.load_settings(), identity) else "閲覧者"
    st.sidebar.caption(md_escape(f"サインイン中: {decided.who}（{role}）"))
    if identity.get("is_logged_in") is True and st.sidebar.button("サインアウト", icon=":material/logout:", key="sign_out"):
        st.logout()

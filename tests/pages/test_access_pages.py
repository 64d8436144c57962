"""Who sees 取込: read-only mode, a viewer and open mode off loopback see no 取込 and a refusal at its URL; an
editor sees the uploader and the audit log; in the signed-in mode nobody sees data before signing in."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from evaldash import audit, ui
from evaldash.ui import PAGE_FILES, people

from .conftest import ENTRY

EDITOR = {"email": "suisin@city.example.jp", "is_logged_in": True}
VIEWER = {"email": "giin@city.example.jp", "is_logged_in": True}


@pytest.fixture
def settings(app_env, monkeypatch, tmp_path):
    """The entry point's navigation as it was asked for, and editors named in the environment."""
    monkeypatch.setenv("EVALDASH_EDITORS", EDITOR["email"])
    monkeypatch.setenv("EVALDASH_AUDIT_LOG", str(tmp_path / "audit.log"))
    shown: list[list[str]] = []
    real = st.navigation

    def spy(pages, *args, **kwargs):
        shown.append([p.title for p in pages if p.visibility == "visible"])
        return real(pages, *args, **kwargs)

    monkeypatch.setattr(st, "navigation", spy)
    return shown


def run(user: dict | None = None, page: str | None = None, **params) -> AppTest:
    at = AppTest.from_file(ENTRY, default_timeout=60)
    if user is not None:
        at.user = user
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(PAGE_FILES[page]).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


REFUSED = [
    ("read-only", VIEWER, "127.0.0.1", "読み取り専用モード"),
    ("signed-in", VIEWER, "127.0.0.1", "閲覧者です"),
    ("open", {}, "0.0.0.0", "読み取り専用で起動"),
]


@pytest.mark.parametrize("mode, user, address, reason", REFUSED, ids=["read-only", "viewer", "open-0.0.0.0"])
def test_no_import_for_a_non_editor(settings, monkeypatch, mode, user, address, reason):
    monkeypatch.setenv("EVALDASH_MODE", mode)
    monkeypatch.setattr(ui.data, "server_address", lambda: address)
    at = run(user)
    assert "取込" not in settings[-1] and "概要" in settings[-1]
    links = [link.proto.label for link in at.sidebar.get("page_link")]
    assert "取込" not in links and "推移" in links
    at.switch_page(PAGE_FILES["import"]).run()  # the direct URL /import
    assert not at.exception
    assert any(reason in w.value for w in at.warning), [w.value for w in at.warning]
    assert len(at.file_uploader) == 0 and "取り除く" not in [b.proto.label for b in at.button]
    assert not any("変更の記録" in s.value for s in [*at.header, *at.subheader])


def test_an_editor_sees_the_uploader_and_the_audit_log(settings, monkeypatch):
    monkeypatch.setenv("EVALDASH_MODE", "signed-in")
    audit.record("add", "suisin@city.example.jp", "refused", findings=["テスト用の記録"])
    at = run(EDITOR, "import")
    assert "取込" in settings[-1]
    assert len(at.file_uploader) == 1
    log = next(d.value for d in at.dataframe if "outcome" in d.value.columns)
    assert list(log["who"]) == ["suisin@city.example.jp"] and list(log["outcome"]) == ["拒否"]
    assert any("サインイン中: suisin@city.example.jp（編集者）" in c.value.replace("\\", "") for c in at.sidebar.caption)


def test_signed_in_mode_shows_only_the_sign_in_screen_before_sign_in(settings, monkeypatch):
    monkeypatch.setenv("EVALDASH_MODE", "signed-in")
    at = run({"is_logged_in": False}, q="女性")
    assert any("サインインして使います" in i.value for i in at.info)
    assert not at.dataframe and not at.metric and len(at.file_uploader) == 0
    assert any("[auth]" in w.value for w in at.warning), "no provider configured: the screen says so"


def test_the_link_opened_is_kept_through_sign_in(settings, monkeypatch):
    """st.login returns to the app's root in a new session: the page and filters come back from the server."""
    monkeypatch.setenv("EVALDASH_MODE", "signed-in")
    monkeypatch.setattr(people, "_browser", lambda: "cookie-of-one-browser")
    monkeypatch.setattr(people, "providers", lambda: [None])
    logins = []
    monkeypatch.setattr(st, "login", lambda *a: logins.append(a))
    at = run({"is_logged_in": False}, "trends", q="女性人材バンク")
    at.button(key="sign_in_").click().run()
    assert logins == [(None,)]  # st.login(None): the single unnamed provider

    back = run(EDITOR)  # the provider sends the person back to the root
    assert back.query_params.get("q") in ("女性人材バンク", ["女性人材バンク"])
    assert any("推移" in t.value for t in back.title), [t.value for t in back.title]
    again = run(EDITOR)  # kept once: a later visit to the root stays there
    assert not again.query_params.get("q")


def test_a_browser_is_known_by_its_token_whatever_the_mask():
    token = bytes(range(16))
    masked = [(mask, bytes(b ^ mask[i % 4] for i, b in enumerate(token))) for mask in (b"\x01\x02\x03\x04", b"\xff\x00\xaa\x55")]
    keys = {people.browser_key(f"2|{m.hex()}|{t.hex()}|1760000000") for m, t in masked}
    assert len(keys) == 1 and "" not in keys
    other = people.browser_key(f"2|{masked[0][0].hex()}|{bytes(16).hex()}|1760000000")
    assert other not in keys and people.browser_key(None) == "" and people.browser_key("2|zz|zz|1") == ""

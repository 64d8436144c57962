"""Modes, roles and the write check (evaldash/access.py), without a server."""

from __future__ import annotations

import pytest

from evaldash import access

EDITOR = {"is_logged_in": True, "email": "Suisin@City.Example.jp", "name": "政策推進課"}
VIEWER = {"is_logged_in": True, "email": "giin@city.example.jp"}
ENV_SIGNED_IN = {"EVALDASH_MODE": "signed-in", "EVALDASH_EDITORS": "suisin@city.example.jp, other@city.example.jp"}


def decide(env, identity, address="127.0.0.1", writable=True):
    return access.decide(access.load_settings(env), identity, address, writable)


def test_default_mode_is_open_and_edits_on_loopback_only():
    for address in ("127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"):
        got = decide({}, {}, address)
        assert (got.needs_sign_in, got.can_edit, got.who, got.mode) == (False, True, "open", "open"), address
    for address in (None, "", "0.0.0.0", "::", "192.0.2.10", "dashboard.example.jp"):
        got = decide({}, {}, address)
        assert (got.needs_sign_in, got.can_edit, got.mode) == (False, False, "read-only"), address
        assert "読み取り専用" in got.reason_ja and "EVALDASH_MODE=signed-in" in got.reason_ja


def test_read_only_mode_never_edits_even_for_an_editor_on_loopback():
    got = decide({"EVALDASH_MODE": "read-only", "EVALDASH_EDITORS": EDITOR["email"]}, EDITOR)
    assert (got.needs_sign_in, got.can_edit, got.mode) == (False, False, "read-only")
    assert "read-only" in got.reason_ja


def test_signed_in_mode_roles():
    nobody = decide(ENV_SIGNED_IN, {"is_logged_in": False})
    assert (nobody.can_edit, nobody.needs_sign_in) == (False, True)
    viewer = decide(ENV_SIGNED_IN, VIEWER, "0.0.0.0")
    assert (viewer.needs_sign_in, viewer.can_edit, viewer.who) == (False, False, "giin@city.example.jp")
    assert "閲覧者" in viewer.reason_ja
    editor = decide(ENV_SIGNED_IN, EDITOR, "0.0.0.0")  # e-mail compared without case
    assert (editor.needs_sign_in, editor.can_edit, editor.who) == (False, True, "suisin@city.example.jp")


def test_an_e_mail_without_sign_in_is_not_a_person():
    # With [auth] configured Streamlit sets is_logged_in False; a stale e-mail key must not count.
    got = decide(ENV_SIGNED_IN, {"is_logged_in": False, "email": EDITOR["email"]})
    assert got.needs_sign_in and not got.can_edit


def test_editor_by_group_claim_and_proxy_header():
    env = {"EVALDASH_MODE": "signed-in", "EVALDASH_EDITOR_GROUPS": "seisaku-suishin", "EVALDASH_GROUPS_CLAIM": "roles"}
    oidc = {"is_logged_in": True, "email": "a@city.example.jp", "roles": ["staff", "Seisaku-Suishin"]}
    assert decide(env, oidc).can_edit
    # A proxy passes headers mapped into st.user; no is_logged_in key without [auth].
    proxy = {"email": "b@city.example.jp", "roles": "staff,seisaku-suishin"}
    assert decide(env, proxy).can_edit
    assert not decide(env, {"email": "c@city.example.jp", "roles": "staff"}).can_edit
    assert not decide(env, {"is_logged_in": True, "email": "d@city.example.jp"}).can_edit


def test_no_editors_configured_means_nobody_edits():
    assert not decide({"EVALDASH_MODE": "signed-in"}, EDITOR).can_edit


def test_unwritable_data_folder_is_a_viewer_replica():
    got = decide(ENV_SIGNED_IN, EDITOR, "0.0.0.0", writable=False)
    assert not got.needs_sign_in and not got.can_edit and "読み取り専用" in got.reason_ja
    assert not decide({}, {}, "127.0.0.1", writable=False).can_edit


def test_unknown_mode_is_a_japanese_config_error():
    with pytest.raises(access.ConfigError, match="EVALDASH_MODE='public'"):
        access.load_settings({"EVALDASH_MODE": "public"})


def page_access(monkeypatch, env, identity, address, writable):
    """ui.page_access() on a server with these settings, this person, address and data folder."""
    from evaldash.ui import data

    for name in ("EVALDASH_MODE", "EVALDASH_EDITORS", "EVALDASH_EDITOR_GROUPS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(data, "identity", lambda: identity)
    monkeypatch.setattr(data, "server_address", lambda: address)
    monkeypatch.setattr(access, "data_writable", lambda folder, db: writable)
    return data.page_access()


@pytest.mark.parametrize("env, address, writable, expected", [
    ({}, "127.0.0.1", True, True),
    ({}, "0.0.0.0", True, False),
    ({"EVALDASH_MODE": "read-only"}, "127.0.0.1", True, False),
    (ENV_SIGNED_IN, "0.0.0.0", True, True),
    (ENV_SIGNED_IN, "0.0.0.0", False, False),
])
def test_a_page_view_may_rebuild_the_store(monkeypatch, env, address, writable, expected):
    from evaldash.ui import data

    page_access(monkeypatch, env, {}, address, writable)
    assert data._may_build() is expected


@pytest.mark.parametrize("env, identity, address, writable", [
    ({}, {}, "127.0.0.1", True),
    ({}, {}, "0.0.0.0", True),
    ({"EVALDASH_MODE": "read-only"}, EDITOR, "127.0.0.1", True),
    ({"EVALDASH_MODE": "bogus"}, EDITOR, "127.0.0.1", True),
    (ENV_SIGNED_IN, VIEWER, "0.0.0.0", True),
    (ENV_SIGNED_IN, EDITOR, "0.0.0.0", True),
    (ENV_SIGNED_IN, EDITOR, "0.0.0.0", False),
])
def test_the_page_and_the_write_check_give_one_answer(monkeypatch, tmp_path, env, identity, address, writable):
    # What a page shows (the import form or the reason it is locked) is what a write then does.
    shown = page_access(monkeypatch, env, identity, address, writable)
    actor = access.dashboard_actor(identity, address)
    if shown.can_edit:
        assert access.require_editor(actor, tmp_path / "reports", tmp_path / "x.duckdb") == shown.who
    else:
        with pytest.raises(access.NotAllowed) as refused:
            access.require_editor(actor, tmp_path / "reports", tmp_path / "x.duckdb")
        assert str(refused.value) == shown.reason_ja


def test_require_editor_decides_from_the_environment(tmp_path):
    folder, db = tmp_path / "reports", tmp_path / "evaldash.duckdb"
    folder.mkdir()
    editor = access.dashboard_actor(EDITOR, "0.0.0.0")
    assert access.require_editor(editor, folder, db, ENV_SIGNED_IN) == "suisin@city.example.jp"
    with pytest.raises(access.NotAllowed, match="閲覧者"):
        access.require_editor(access.dashboard_actor(VIEWER, "0.0.0.0"), folder, db, ENV_SIGNED_IN)
    with pytest.raises(access.NotAllowed, match="read-only"):
        access.require_editor(editor, folder, db, {**ENV_SIGNED_IN, "EVALDASH_MODE": "read-only"})
    with pytest.raises(access.NotAllowed, match="EVALDASH_MODE"):
        access.require_editor(editor, folder, db, {"EVALDASH_MODE": "bogus"})
    # The command line is the operator's: allowed whatever the mode, named for the audit log.
    assert access.require_editor(access.cli_actor(), folder, db, {"EVALDASH_MODE": "read-only"}).startswith("cli:")


def test_data_writable_as_a_build_decides_it(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    assert access.data_writable(folder, tmp_path / "evaldash.duckdb")
    # Folders an add and a build would make: writable where their nearest existing parent is.
    assert access.data_writable(tmp_path / "missing" / "reports", tmp_path / "missing" / "x.duckdb")
    (tmp_path / "a_file").write_text("")
    assert not access.data_writable(tmp_path / "a_file" / "reports", tmp_path / "x.duckdb")
    assert not access.data_writable(folder, tmp_path / "a_file" / "x.duckdb")

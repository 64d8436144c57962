"""Who may change the data: the mode, the editors and the person asking.

Everything is set in environment variables (EVALDASH_MODE, EVALDASH_EDITORS,
EVALDASH_EDITOR_GROUPS, EVALDASH_GROUPS_CLAIM), like the other EVALDASH_* settings,
so a systemd unit, a compose file and a laptop shell set them the same way. The sign-in
provider itself is configured where Streamlit reads it (.streamlit/secrets.toml, [auth]).

No Streamlit here: the UI passes in `st.user` as a plain mapping and the
`server.address` option; the write functions call require_editor themselves.
"""

from __future__ import annotations

import getpass
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from . import provenance

MODES = ("open", "signed-in", "read-only")
DEFAULT_MODE = "open"


class ConfigError(ValueError):
    """A setting that cannot be used; the message is Japanese and names the setting."""


class NotAllowed(PermissionError):
    """A write refused by mode or role; str(exc) is the Japanese reason."""


@dataclass(frozen=True)
class Settings:
    mode: str
    editors: frozenset[str]  # e-mail addresses, lower case
    editor_groups: frozenset[str]
    groups_claim: str  # the key in st.user that holds the person's groups


@dataclass(frozen=True)
class Access:
    can_edit: bool
    who: str  # the name the audit log records: an e-mail address, "open" or "cli:<os user>"
    reason_ja: str  # why editing (or viewing) is not allowed; empty when it is
    mode: str  # the mode in force, after the loopback rule
    needs_sign_in: bool = False  # signed-in mode and nobody signed in: show the sign-in button


def _names(text: str) -> frozenset[str]:
    return frozenset(part.strip().lower() for part in text.replace("\n", ",").split(",") if part.strip())


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    mode = (env.get("EVALDASH_MODE") or DEFAULT_MODE).strip().lower()
    if mode not in MODES:
        raise ConfigError(f"EVALDASH_MODE={mode!r} は使えません: open、signed-in、read-only のどれかを指定してください")
    return Settings(
        mode=mode,
        editors=_names(env.get("EVALDASH_EDITORS", "")),
        editor_groups=_names(env.get("EVALDASH_EDITOR_GROUPS", "")),
        groups_claim=(env.get("EVALDASH_GROUPS_CLAIM") or "groups").strip(),
    )


def is_loopback(address: str | None) -> bool:
    """True when the server listens on the loopback interface only.

    Streamlit's `server.address` unset (or 0.0.0.0, ::) listens on every interface.
    A host name other than localhost counts as not loopback: we do not resolve names.
    """
    if not address:
        return False
    host = address.strip().strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def data_writable(folder: Path, db: Path) -> bool:
    """Can this process write the reports folder and the store's folder (a viewer replica mounts them read-only)?"""
    return provenance.writable(folder) and provenance.writable(db.parent)


def _groups(identity: Mapping, claim: str) -> frozenset[str]:
    value = identity.get(claim)
    if isinstance(value, str):  # a proxy header: "a,b" ; an OIDC claim: a list
        return _names(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return frozenset(str(g).strip().lower() for g in value)
    return frozenset()


def signed_in_email(identity: Mapping) -> str:
    """The e-mail of the person signed in, from st.login (is_logged_in) or a trusted proxy header
    mapped to the key "email" (server.trustedUserHeaders); "" when nobody is."""
    email = identity.get("email")
    if not isinstance(email, str) or not email.strip():
        return ""
    logged_in = identity.get("is_logged_in")  # None or absent: the identity came from a trusted proxy header
    return email.strip().lower() if logged_in is True or logged_in is None else ""


def is_editor(settings: Settings, identity: Mapping) -> bool:
    email = signed_in_email(identity)
    if not email:
        return False
    return email in settings.editors or bool(_groups(identity, settings.groups_claim) & settings.editor_groups)


def decide(settings: Settings, identity: Mapping, server_address: str | None, writable: bool = True) -> Access:
    """What this person may do on this server: (can_edit, who, reason_ja)."""
    if settings.mode == "read-only":
        return Access(False, "", "公開用の読み取り専用モードです（EVALDASH_MODE=read-only）。データは変更できません。", "read-only")
    if settings.mode == "open":
        if not is_loopback(server_address):
            return Access(False, "", (
                f"サインインなしのモード（open）で、このサーバーは {server_address or 'すべてのアドレス'} で待ち受けています。"
                "ほかの人から届くため、読み取り専用で起動しました。編集するには 127.0.0.1 で待ち受けるか、"
                "EVALDASH_MODE=signed-in にして編集者を設定してください。"), "read-only")
        who = "open"
    else:
        who = signed_in_email(identity)
        if not who:
            return Access(False, "", "このダッシュボードはサインインが必要です。", "signed-in", needs_sign_in=True)
        if not is_editor(settings, identity):
            return Access(False, who, f"{who} は閲覧者です。データを変更できるのは設定された編集者だけです。", "signed-in")
    if not writable:
        return Access(False, who, "このサーバーはデータフォルダーを読み取り専用で使っています（閲覧用のサーバー）。"
                      "編集は編集用のサーバーから行ってください。", settings.mode)
    return Access(True, who, "", settings.mode)


def access_now(identity: Mapping, server_address: str | None, folder: Path, db: Path,
               environ: Mapping[str, str] | None = None) -> Access:
    """decide() from the settings in the environment and whether this server can write `folder` and `db`: the one
    answer both the pages and the write functions act on. A setting that cannot be used leaves the server read-only,
    its message the reason."""
    try:
        settings = load_settings(environ)
    except ConfigError as exc:
        return Access(False, "", str(exc), "read-only")
    return decide(settings, identity, server_address, data_writable(folder, db))


@dataclass(frozen=True)
class Actor:
    """Who asks for a write, as the write functions receive it."""

    via: str  # "dashboard" or "cli"
    identity: Mapping  # st.user as a dict; empty for the command line
    server_address: str | None = None


def dashboard_actor(identity: Mapping, server_address: str | None) -> Actor:
    return Actor("dashboard", dict(identity or {}), server_address)


def cli_actor() -> Actor:
    return Actor("cli", {})


def cli_name() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry for this uid (a container's arbitrary user)
        return f"cli:uid{os.getuid()}"


def require_editor(actor: Actor, folder: Path, db: Path, environ: Mapping[str, str] | None = None) -> str:
    """Raise NotAllowed unless `actor` may change the data in `folder` / `db`; return the name to audit.

    Decides afresh from the environment, not from what the page showed: a direct URL, a replayed
    upload or a stale page gets the same answer. The command line is the operator's tool: not
    role-checked (but audited).
    """
    if actor.via == "cli":
        return cli_name()
    access = access_now(actor.identity, actor.server_address, folder, db, environ)
    if not access.can_edit:
        raise NotAllowed(access.reason_ja)
    return access.who

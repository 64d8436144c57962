"""A real OpenID Connect provider (PyPI's oidc-provider-mock) on a loopback port, and the
.streamlit/secrets.toml that points st.login at it.

The provider's sign-in form asks for a subject ("sub"); each predefined user carries the claims
an ID token gives the dashboard: e-mail and groups.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import sys
from pathlib import Path

from .server import free_port, running_command

EDITOR = {"sub": "suisin", "email": "suisin@city.example.jp", "name": "政策推進課", "groups": ["seisaku-suishin"]}
VIEWER = {"sub": "giin", "email": "giin@city.example.jp", "name": "議員", "groups": ["gikai"]}
CLIENT_ID, CLIENT_SECRET = "evaldash", "evaldash-test-secret"


@contextlib.contextmanager
def running_provider(log: Path, users=(EDITOR, VIEWER), timeout: float = 30):
    """Yield the provider's issuer URL (http://127.0.0.1:PORT); stop it afterwards."""
    port = free_port()
    cmd = [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)]
    for user in users:
        cmd += ["--user-claims", json.dumps(user, ensure_ascii=False)]
    issuer = f"http://127.0.0.1:{port}"
    with running_command(cmd, f"{issuer}/.well-known/openid-configuration", log, timeout=timeout):
        yield issuer


def write_secrets(path: Path, app_url: str, issuer: str) -> Path:
    """The [auth] section of .streamlit/secrets.toml for this provider; app_url includes any sub-path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "[auth]\n"
        f'redirect_uri = "{app_url.rstrip("/")}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        f'client_id = "{CLIENT_ID}"\n'
        f'client_secret = "{CLIENT_SECRET}"\n'
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    return path


def sign_in(page, sub: str) -> None:
    """On the provider's form (after st.login redirected there): sign in as `sub`."""
    page.wait_for_selector("input[name=sub]")
    page.locator("input[type=text][name=sub]").fill(sub)
    page.get_by_role("button", name="Authorize").click()


def confirm_sign_out(page) -> None:
    """On the provider's end-session page (st.logout ends the session there too): confirm."""
    page.get_by_role("button", name="End session").click()

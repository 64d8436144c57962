"""Start Debian's Caddy with the shipped deploy/Caddyfile on loopback ports (scripts/test.sh installs it)."""

from __future__ import annotations

import contextlib
import os
import shutil
import ssl
import subprocess
import time
import urllib.request
from pathlib import Path

from .server import ROOT, free_port

CADDYFILE = ROOT / "deploy" / "Caddyfile"


def caddy_path() -> str | None:
    return shutil.which("caddy")


def insecure_context() -> ssl.SSLContext:
    """For `tls internal`: the proxy's own test certificate is not in any trust store."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def get(url: str, headers: dict | None = None, timeout: float = 10):
    """(status, headers, body) of a GET through the proxy; HTTP errors come back as their status."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=insecure_context()) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


@contextlib.contextmanager
def running_caddy(viewers: list[str], writer: str, home: Path, log: Path, timeout: float = 30):
    """Yield the proxy's https base URL (https://127.0.0.1:PORT) in front of the given host:port upstreams."""
    port, http_port = free_port(), free_port()
    home.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "HOME": str(home), "XDG_DATA_HOME": str(home / "data"), "XDG_CONFIG_HOME": str(home / "config"),
        "EVALDASH_SITE": f"https://127.0.0.1:{port}", "EVALDASH_TLS": "internal", "EVALDASH_BIND": "127.0.0.1",
        "EVALDASH_HTTP_PORT": str(http_port), "EVALDASH_VIEWERS": " ".join(viewers), "EVALDASH_WRITER": writer,
    }
    cmd = [caddy_path() or "caddy", "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"]
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            url = f"https://127.0.0.1:{port}"
            deadline = time.monotonic() + timeout
            while True:
                try:
                    status, _, _ = get(f"{url}/hyoka/_stcore/health", timeout=2)
                    if status == 200:
                        break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the proxy did not start; see {log}")
                time.sleep(0.3)
            yield url, proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()

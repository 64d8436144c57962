"""Start the real `streamlit run dashboard.py` on a free local port, and launch Debian's Chromium.

Shared by the browser tests (tests/e2e) and the load benchmark (bench/load.py).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic",
]


def chromium_path() -> str | None:
    return os.environ.get("EVALDASH_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_server(reports: Path, db: Path, log: Path, extra_env: dict | None = None, timeout: float = 60):
    """Yield the base URL of a dashboard serving `db` built from `reports`; stop it afterwards."""
    port = free_port()
    env = {**os.environ, "EVALDASH_REPORTS": str(reports), "EVALDASH_DB": str(db), **(extra_env or {})}
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"), "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + timeout
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"dashboard did not start; see {log}")
                time.sleep(0.3)
            yield url, proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def wait_for_app(page, timeout_ms: int = 30000) -> None:
    """Wait until Streamlit has finished the script run that the last action started."""
    page.wait_for_selector("[data-testid=stMain]", timeout=timeout_ms)
    page.wait_for_function(
        "() => { const w = document.querySelector('[data-testid=stStatusWidget]');"
        " return !w || !/Running|実行中/.test(w.innerText); }",
        timeout=timeout_ms,
    )
    page.wait_for_timeout(400)  # let the last deltas paint


ERROR_SELECTOR = "[data-testid=stException], [data-testid=stAlertContentError]"

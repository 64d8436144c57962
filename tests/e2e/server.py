"""Start the real `streamlit run dashboard.py` on a free local port, and launch Debian's Chromium.

Shared by the browser tests (tests/e2e) and the load benchmark (bench/load.py).
"""

from __future__ import annotations

import contextlib
import os
import random
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
    """A loopback port nothing listens on. Under pytest-xdist each worker takes ports from a range of
    its own below the kernel's ephemeral ones: two workers could otherwise pick the same port, and a
    test whose server failed to bind would talk to the other worker's server."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        candidates = [0] * 20
    else:
        low = 20000 + 1000 * (int(worker[2:]) % 12)
        candidates = random.sample(range(low, low + 1000), 1000)
    for port in candidates:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            port = s.getsockname()[1]
        if port not in _GIVEN:  # two calls in a row (a server and its proxy) get two ports
            _GIVEN.add(port)
            return port
    raise RuntimeError(f"no free loopback port for worker {worker or 'main'}")


_GIVEN: set[int] = set()


@contextlib.contextmanager
def running_server(reports: Path, db: Path, log: Path, extra_env: dict | None = None, timeout: float = 60,
                   base_path: str = "", port: int | None = None):
    """Yield the base URL of a dashboard serving `db` built from `reports`; stop it afterwards.

    base_path: Streamlit's server.baseUrlPath (a sub-path such as "hyoka"), as behind a proxy.
    """
    port = port or free_port()
    env = {**os.environ, "EVALDASH_REPORTS": str(reports), "EVALDASH_DB": str(db), **(extra_env or {})}
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"), "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--server.baseUrlPath", base_path]
    url = f"http://127.0.0.1:{port}" + (f"/{base_path.strip('/')}" if base_path.strip("/") else "")
    with running_command(cmd, f"{url}/_stcore/health", log, env=env, timeout=timeout) as proc:
        yield url, proc


@contextlib.contextmanager
def running_command(cmd: list[str], health_url: str, log: Path, env: dict | None = None, cwd: Path = ROOT,
                    timeout: float = 60):
    """Start `cmd`, wait until `health_url` answers 200, yield the process; stop it afterwards."""
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    with urllib.request.urlopen(health_url, timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not start; see {log}")
                time.sleep(0.3)
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


# Counts changes of Streamlit's script state (running <-> notRunning) in a page, so that a test can
# wait for the run that its own click started, not the one before it. Install with
# context.add_init_script(INIT_SCRIPT); wait_for_app works without it.
INIT_SCRIPT = """
(() => {
  window.__evaldashRuns = 0;
  new MutationObserver((records) => { window.__evaldashRuns += records.length; })
    .observe(document, {attributes: true, subtree: true, attributeFilter: ['data-test-script-state']});
})();
"""

# Streamlit is idle: connected, no script run, no lazy element still loading (stSkeleton),
# every chart drawn and every table painted (those in a hidden tab or a closed expander draw when shown).
_IDLE_JS = """
() => {
  const app = document.querySelector('[data-testid=stApp]');
  if (!app || !document.querySelector('[data-testid=stMain]')) return false;
  if (app.dataset.testConnectionState && app.dataset.testConnectionState !== 'CONNECTED') return false;
  if (app.dataset.testScriptState && app.dataset.testScriptState !== 'notRunning') return false;
  const w = document.querySelector('[data-testid=stStatusWidget]');
  if (w && /Running|実行中/.test(w.innerText)) return false;
  if (document.querySelector('[data-testid=stSkeleton]')) return false;
  // Not in a hidden tab or a closed expander (those draw when opened; a closed expander keeps its size).
  const shown = (e) => e.getBoundingClientRect().width > 0 && (!e.checkVisibility || e.checkVisibility());
  for (const c of document.querySelectorAll('[data-testid=stPlotlyChart]'))
    if (shown(c) && !c.querySelector('.main-svg')) return false;
  for (const d of document.querySelectorAll('[data-testid=stDataFrame]'))
    if (shown(d) && !d.querySelector('[data-testid=data-grid-canvas]')) return false;
  return true;
}
"""

# Resolves once the app's DOM has not changed for `quiet` ms (at most `cap` ms).
_QUIET_JS = """
([quiet, cap]) => new Promise((resolve) => {
  const root = document.querySelector('[data-testid=stApp]') || document.body;
  let timer;
  const done = () => { obs.disconnect(); clearTimeout(limit); resolve(true); };
  const obs = new MutationObserver(() => { clearTimeout(timer); timer = setTimeout(done, quiet); });
  obs.observe(root, {subtree: true, childList: true, characterData: true, attributes: true});
  timer = setTimeout(done, quiet);
  const limit = setTimeout(done, cap);
})
"""


def wait_for_app(page, timeout_ms: int = 30000) -> None:
    """Wait until Streamlit has finished the script run that the last action started.

    Idle means: connected, the script not running, no lazily loaded element still a skeleton,
    charts and tables drawn, then the DOM quiet for a moment (the last deltas painted).
    """
    page.wait_for_selector("[data-testid=stMain]", timeout=timeout_ms)
    # With INIT_SCRIPT, a freshly loaded page has seen its first run start (no race with a run not yet begun).
    page.wait_for_function("() => (window.__evaldashRuns ?? 1) > 0", timeout=timeout_ms, polling=50)
    page.wait_for_function(_IDLE_JS, timeout=timeout_ms, polling=100)
    page.evaluate(_QUIET_JS, [300, 3000])
    page.wait_for_function(_IDLE_JS, timeout=timeout_ms, polling=100)


def runs(page) -> int:
    """How many script-state changes the page has seen (needs INIT_SCRIPT)."""
    return page.evaluate("() => window.__evaldashRuns ?? -1")


def rerun(page, action, timeout_ms: int = 30000, shows=None) -> None:
    """Do `action()` (a click, a key press) and wait for the script run it starts to finish.

    Needs INIT_SCRIPT in the page's context; without it, this is action() then wait_for_app.
    `shows`: a locator the run makes visible, for a widget inside a fragment. Its rerun takes a few ms and the
    browser may draw "running" and "done" in one frame, so the script state attribute need not change at all.
    """
    before = runs(page)
    action()
    if shows is not None:
        shows.first.wait_for(state="visible", timeout=timeout_ms)
    elif before >= 0:
        page.wait_for_function("(n) => (window.__evaldashRuns ?? 0) > n", arg=before, timeout=timeout_ms, polling=50)
    wait_for_app(page, timeout_ms)


# The main area and the page never scroll sideways (scrollWidth within clientWidth + 1 px).
OVERFLOW_JS = """
() => {
  const out = [];
  for (const [name, e] of [['page', document.scrollingElement],
                           ['main', document.querySelector('[data-testid=stMain]')],
                           ['block', document.querySelector('[data-testid=stMainBlockContainer]')]]) {
    if (e && e.scrollWidth > e.clientWidth + 1) out.push(`${name}: scrollWidth ${e.scrollWidth} > clientWidth ${e.clientWidth}`);
  }
  return out;
}
"""


def horizontal_overflow(page) -> list[str]:
    """Descriptions of what scrolls sideways; empty when nothing overflows."""
    return page.evaluate(OVERFLOW_JS)


def table_rows(page, index: int = 0, timeout_ms: int = 10000) -> list[list[str]]:
    """The rows a `st.dataframe` shows on screen (its accessibility cells), as lists of cell texts.

    Only rows scrolled into view are in the DOM; waits until the grid has drawn them.
    """
    grid = page.locator("[data-testid=stDataFrame]").nth(index)
    grid.locator("[data-testid^=glide-cell-]").first.wait_for(state="attached", timeout=timeout_ms)
    cells = grid.evaluate(
        "(g) => [...g.querySelectorAll('[data-testid^=glide-cell-]')].map(td => "
        "[...td.dataset.testid.split('-').slice(2).map(Number), td.innerText])"
    )
    rows: dict[int, dict[int, str]] = {}
    for col, row, text in cells:
        rows.setdefault(row, {})[col] = text
    return [[r[c] for c in sorted(r)] for _, r in sorted(rows.items())]


def main_text(page) -> str:
    """What a person reads in the main area (text of markdown, captions, code, tables' cells)."""
    return page.locator("[data-testid=stMain]").inner_text()


# The sidebar's list of pages (ui.page_list): links that carry the filter.
NAV_LINKS = "[data-testid=stSidebar] [data-testid=stPageLink] a"
ERROR_SELECTOR = "[data-testid=stException], [data-testid=stAlertContentError]"

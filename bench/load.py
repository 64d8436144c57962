"""Many users at once (issue 5, item 4): N browser sessions against one dashboard server.

    python bench/load.py --profile                # 20 sessions, 60 s, on a copy of data/reports
    python bench/load.py --sessions 5 --seconds 15
    python bench/load.py --profile --replicas 2   # read-only replicas behind deploy/Caddyfile (Debian's caddy)

One headless Chromium, one browser context per session, all on one asyncio loop, against one `streamlit run
dashboard.py` (tests/e2e/server.py) on a temporary copy of the reports; with --replicas N, N read-only replicas behind
Caddy (tests/e2e/proxy.py). A warm-up session visits every page; the N sessions then open the dashboard and, for
--seconds, pause (--think) and switch page, change a filter or reload. Each action is timed from the click until the
run is over and drawn with the expected content (the browser tests' idle check); errors are counted after each.
Run it from a checkout nobody is editing: Streamlit reloads changed modules under running sessions.

The browser runs at a lower priority (--client-nice) and its CPU is recorded, since it shares the server's cores.
--profile times every script run and every query that ran inside the server. Prints a table and writes
bench/load_results.json; BENCHMARKS.md has the figures and their reading.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from proc import ROOT, browser_pid, cpu_seconds, load_average, machine_busy_seconds, rss_mb, tree_cpu_seconds  # first
from proc import machine as host
from evaldash import store
from tests.e2e.proxy import running_caddy
from tests.e2e.server import _IDLE_JS as APP_IDLE_JS  # the browser tests' "run over, all drawn"
from tests.e2e.server import CHROMIUM_ARGS, ERROR_SELECTOR, chromium_path, running_server

DEFAULT_RESULTS = Path(__file__).resolve().parent / "load_results.json"
PROXY_RESULTS = DEFAULT_RESULTS.with_name("load_proxy_results.json")

# Targets of issue 5, item 4 (reported, never asserted).
TARGET_FILTER_P95_S = 1.0
TARGET_MEMORY_GROWTH_MB = 100.0

# (url path, title): the pages a council member reads. 取込 (import) is staff-only and not loaded here.
PAGES = [("", "概要"), ("trends", "推移"), ("changes", "変化"), ("data", "データ"), ("card", "施策カード")]
FILTER_PAGES = {"概要", "推移", "変化", "データ"}  # pages whose caption describes the filters

# The filter values the sessions choose: present in the bundled report and in generated corpora.
POLICY_NO = 2
REFLECTION = "A"
KEYWORD = "女性"

# The run finished and everything is drawn: the browser tests' idle check (connected, script state
# notRunning, no lazy element still loading, charts and tables drawn) and no element left stale.
RUN_DONE_JS = f"() => ({APP_IDLE_JS.strip()})() && !document.querySelector('[data-stale=true]')"
# Per context: when the page's script state changes (page clock), to split an action's time into
# before the run starts, the run, and drawing after it.
RUNLOG_INIT_JS = """
window.__runlog = [];
new MutationObserver(() => {
  const a = document.querySelector('[data-testid=stApp]');
  if (a) window.__runlog.push([performance.now(), a.getAttribute('data-test-script-state')]);
}).observe(document, {attributes: true, subtree: true, attributeFilter: ['data-test-script-state']});
"""
RUNLOG_READ_JS = """([t]) => { const log = (window.__runlog || []).filter(e => e[0] >= t); window.__runlog = log;
  return {log, settled: window.__settledAt || null}; }"""
TITLE_JS = "([t]) => { const h = document.querySelector('[data-testid=stMain] h1'); return !!h && h.innerText.trim() === t; }"
CAPTION_JS = """
([prefix]) => Array.from(document.querySelectorAll('[data-testid=stMain] [data-testid=stCaptionContainer]'))
  .some(c => c.innerText.startsWith(prefix + '\u3000|'))
"""

SEEN_JS = """
() => { const app = document.querySelector('[data-testid=stApp]'); const h = document.querySelector('[data-testid=stMain] h1');
  const c = document.querySelector('[data-testid=stMain] [data-testid=stCaptionContainer]');
  return {state: app && app.getAttribute('data-test-script-state'), conn: app && app.getAttribute('data-test-connection-state'),
          stale: document.querySelectorAll('[data-stale=true]').length, title: h && h.innerText,
          caption: c && c.innerText.slice(0, 120), url: location.href}; }
"""
# --profile: loaded into the server (only) through PYTHONPATH. It times every script run
# (ScriptRunner._run_script: the whole rerun on the server, queries, charts and serialisation
# included; wall and the script thread's CPU) and every named query that actually runs
# (evaldash.sql.run, called only on a miss of the result cache), one line each: kind, seconds, name.
PROFILE_SITECUSTOMIZE = """
import os, threading, time
from streamlit.runtime.scriptrunner import script_runner as _sr
import evaldash.sql as _sql

_log = os.environ["EVALDASH_LOAD_PROFILE"]
_lock = threading.Lock()
_run_script, _sql_run = _sr.ScriptRunner._run_script, _sql.run


def _write(kind, seconds, name=""):
    with _lock, open(_log, "a", encoding="utf-8") as fh:
        fh.write(f"{kind}\\t{seconds:.6f}\\t{name}\\n")


def _timed_run_script(self, rerun_data):
    t, cpu = time.perf_counter(), time.thread_time()
    try:
        return _run_script(self, rerun_data)
    finally:
        _write("run", time.perf_counter() - t)
        _write("run_cpu", time.thread_time() - cpu)  # this thread's CPU: the run's own cost, waits excluded


def _timed_sql_run(con, name, *args, **kwargs):
    t = time.perf_counter()
    try:
        return _sql_run(con, name, *args, **kwargs)
    finally:
        _write("query", time.perf_counter() - t, name)


_sr.ScriptRunner._run_script = _timed_run_script
_sql.run = _timed_sql_run
"""


def _stats(values: list[float], digits: int = 3) -> dict:
    """n, p50, p95, max and mean of a list of seconds (None where empty)."""
    r = lambda x: round(x, digits) if values else None  # noqa: E731
    return {"n": len(values), "p50_s": r(percentile(values, 50)), "p95_s": r(percentile(values, 95)),
            "max_s": r(max(values, default=0)), "mean_s": r(statistics.fmean(values) if values else 0)}


def read_profile(paths: list[Path]) -> dict:
    kinds: dict[str, list[float]] = {"run": [], "run_cpu": []}
    queries: dict[str, list[float]] = {}
    lines = [line for p in paths if p.exists() for line in p.read_text(encoding="utf-8").splitlines()]
    for line in lines:
        kind, seconds, name = (line.split("\t") + ["", ""])[:3]
        (queries.setdefault(name, []) if kind == "query" else kinds.setdefault(kind, [])).append(float(seconds))
    all_q = [x for v in queries.values() for x in v]
    return {
        "script_runs": _stats(kinds["run"]) | {"total_s": round(sum(kinds["run"]), 1)},
        "script_run_cpu": _stats(kinds["run_cpu"]),
        "query_executions": _stats(all_q, 4) | {"total_s": round(sum(all_q), 2), "by_name": {
            k: {"n": len(v), "total_s": round(sum(v), 3)} for k, v in sorted(queries.items(), key=lambda kv: -sum(kv[1]))}},
    }


def machine() -> dict:
    """bench/proc.py's description of the machine and commit, with the browser's."""
    from importlib.metadata import version

    try:
        chromium = subprocess.run([chromium_path(), "--version"], capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        chromium = "unknown"
    return host() | {"usable_cores": len(os.sched_getaffinity(0)), "playwright": version("playwright"),
                     "chromium": chromium}


# --- one session --------------------------------------------------------------------------------------

@dataclass
class Sample:
    kind: str  # initial_load | page_switch | reload | filter_change
    seconds: float
    session: int
    at: float  # seconds since the load started
    page: str
    detail: str = ""
    to_run_s: float | None = None  # action -> the page shows its run started (page_switch, filter_change)
    run_s: float | None = None  # run started -> last run finished, as the page saw it
    draw_s: float | None = None  # last run finished -> everything drawn and the expected content there


@dataclass
class Session:
    index: int
    url: str
    max_steps: int
    timeout_ms: int
    t0: float
    rng: random.Random
    samples: list[Sample] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    page_title: str = "概要"
    pol: bool = False
    refl: bool = False
    q: bool = False
    policy_name: str = ""
    steps: int = 0
    think: tuple[float, float] = (0.0, 0.0)

    def describe(self) -> str:
        parts = []
        if self.pol:
            parts.append(f"運営方針{POLICY_NO:02d} {self.policy_name}".strip())
        if self.refl:
            parts.append(f"反映区分{REFLECTION}")
        if self.q:
            parts.append(f"「{KEYWORD}」を含む")
        return " / ".join(parts) if parts else "すべての施策"


async def settled(page, check_js: str, arg: str, timeout_ms: int) -> None:
    """Wait for the run to finish and the expected content to be there, checked together."""
    await page.wait_for_function(
        f"([arg]) => {{ const ok = ({RUN_DONE_JS})() && ({check_js})([arg]);"
        f" if (ok) window.__settledAt = performance.now(); return ok; }}", arg=[arg], timeout=timeout_ms, polling=50
    )


async def expect_view(s: Session, page) -> None:
    await settled(page, TITLE_JS, s.page_title, s.timeout_ms)
    if s.page_title in FILTER_PAGES:
        await settled(page, CAPTION_JS, s.describe(), s.timeout_ms)


async def check_errors(s: Session, page, what: str) -> None:
    if await page.locator(ERROR_SELECTOR).count():
        text = (await page.locator(ERROR_SELECTOR).first.inner_text())[:300]
        s.errors.append({"session": s.index, "at": round(time.perf_counter() - s.t0, 2), "action": what,
                         "page": s.page_title, "kind": "error element", "text": text})


async def timed(s: Session, page, kind: str, action, detail: str = "", prepare=None) -> None:
    """Time action() (the click or key that makes Streamlit rerun) until the expected view; prepare(),
    untimed, is what a user does before it (open a dropdown, type a word)."""
    start = time.perf_counter()
    try:
        if prepare is not None:
            await prepare()
        split = kind in ("page_switch", "filter_change")  # same document: the page clock goes on
        page_t0 = await page.evaluate("performance.now()") if split else None
        start = time.perf_counter()
        await action()
        await expect_view(s, page)
        parts = _split(await page.evaluate(RUNLOG_READ_JS, [page_t0]), page_t0) if split else {}
    except Exception as exc:  # a timeout or a vanished element: counted, then the session recovers
        try:
            seen = await page.evaluate(SEEN_JS)
        except Exception:
            seen = None
        s.errors.append({"session": s.index, "at": round(start - s.t0, 2), "action": f"{kind} {detail}".strip(),
                         "page": s.page_title, "kind": type(exc).__name__, "text": str(exc).splitlines()[0][:300],
                         "expected": s.describe() if s.page_title in FILTER_PAGES else s.page_title, "seen": seen})
        await recover(s, page)
        return
    s.samples.append(Sample(kind, time.perf_counter() - start, s.index, start - s.t0, s.page_title, detail, **parts))
    await check_errors(s, page, f"{kind} {detail}".strip())


def _split(seen: dict, t0: float) -> dict:
    """From the page's script-state log since the action (t0, page clock): until the first run started,
    from then until the last run ended (one action may start more than one run), and from then until
    all was drawn."""
    log, settled = seen["log"], seen["settled"]
    starts = [t for t, state in log if state == "running"]
    ends = [t for t, state in log if state == "notRunning"]
    if not starts or not ends or settled is None:
        return {}
    return {"to_run_s": (starts[0] - t0) / 1000, "run_s": (ends[-1] - starts[0]) / 1000,
            "draw_s": max(0.0, settled - ends[-1]) / 1000}


async def recover(s: Session, page) -> None:
    """Start over on the overview with no filter (a fresh Streamlit session)."""
    s.page_title, s.pol, s.refl, s.q = "概要", False, False, False
    with contextlib.suppress(Exception):
        await page.goto(s.url, timeout=s.timeout_ms, wait_until="commit")
        await expect_view(s, page)


async def switch_page(s: Session, page) -> None:
    _, title = s.rng.choice([p for p in PAGES if p[1] != s.page_title])

    async def act():
        s.page_title = title
        await page.locator("[data-testid=stSidebar] [data-testid=stPageLink] a", has_text=title).click()

    await timed(s, page, "page_switch", act, title)


async def reload(s: Session, page) -> None:
    await timed(s, page, "reload", lambda: page.reload(timeout=s.timeout_ms, wait_until="commit"))


async def change_filter(s: Session, page) -> None:
    """Toggle one of the shared filters (not 絞り込みを解除: an action changes one filter, so the
    figures of runs compare)."""
    sidebar = page.locator("[data-testid=stSidebar]")
    what = s.rng.choice(["refl", "q", "pol"])
    box = sidebar.locator("input[aria-label='キーワード検索']")

    async def prepare():
        if what == "q":
            await box.fill("" if s.q else KEYWORD)
        elif what == "pol" and not s.pol:
            await sidebar.get_by_role("combobox", name="運営方針").click()

    async def act():
        if what == "refl":
            s.refl = not s.refl
            pill = re.compile(rf"^{REFLECTION}（\d+）：")  # 「A（件数）：…」
            await sidebar.locator("[data-testid=stButtonGroup] button", has_text=pill).click()
        elif what == "q":
            s.q = not s.q
            await box.press("Enter")
        elif not s.pol:
            s.pol = True
            await page.get_by_role("option", name=f"{POLICY_NO:02d} ").first.click()
            await page.keyboard.press("Escape")
        else:
            s.pol = False
            await sidebar.get_by_role("button", name=f"Remove {POLICY_NO:02d} ").click()
        # A focused multiselect is taller than a blurred one: blur now, so that the sidebar does not
        # shift under the next click.
        await page.evaluate("() => document.activeElement && document.activeElement.blur()")

    await timed(s, page, "filter_change", act, what, prepare)


async def open_session(s: Session, browser, gate: asyncio.Semaphore):
    """Phase 1: the session opens the dashboard (a first visit: empty browser cache)."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP",
                                        ignore_https_errors=True)  # the proxy's `tls internal` certificate
    await context.add_init_script(RUNLOG_INIT_JS)
    page = await context.new_page()
    async with gate:
        await timed(s, page, "initial_load", lambda: page.goto(s.url, timeout=s.timeout_ms, wait_until="commit"))
    return context, page


async def act(s: Session, page, deadline: float) -> None:
    """Phase 2: until the deadline (or max_steps), pause, then switch page, change a filter or reload."""
    while time.perf_counter() < deadline and s.steps < s.max_steps:
        s.steps += 1
        await asyncio.sleep(s.rng.uniform(*s.think))
        if time.perf_counter() >= deadline:
            break
        r = s.rng.random()
        if r < 0.05:
            await reload(s, page)
        elif r < 0.40 or s.page_title not in FILTER_PAGES:
            await switch_page(s, page)
        else:
            await change_filter(s, page)


async def policy_name(browser, url: str, timeout_ms: int) -> str:
    """The 運営方針 name the describe caption shows for POLICY_NO, read from the filter's option list."""
    context = await browser.new_context(locale="ja-JP", ignore_https_errors=True)
    page = await context.new_page()
    try:
        await page.goto(url, timeout=timeout_ms)
        await settled(page, TITLE_JS, "概要", timeout_ms)
        await page.locator("[data-testid=stSidebar]").get_by_role("combobox", name="運営方針").click()
        label = (await page.get_by_role("option", name=f"{POLICY_NO:02d} ").first.inner_text()).strip()
        label = re.sub(r"（\d+）$", "", label)  # the option's count of measures is not in the caption
        return label.split(" ", 1)[1] if " " in label else ""
    finally:
        await context.close()


async def warm_up(browser, urls: list[str], timeout_ms: int) -> None:
    """One session per server visits every page once, so that imports and first-run work are not counted as load."""
    for url in urls:
        context = await browser.new_context(locale="ja-JP")
        page = await context.new_page()
        try:
            for path, title in PAGES:
                await page.goto(f"{url}/{path}", timeout=timeout_ms)
                await settled(page, TITLE_JS, title, timeout_ms)
        finally:
            await context.close()


async def sample_memory(pid: list[int], stop: asyncio.Event, out: list) -> None:
    t0 = time.perf_counter()
    while not stop.is_set():
        try:
            out.append((round(time.perf_counter() - t0, 1), round(rss_mb(pid), 1)))
        except (OSError, RuntimeError):
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.5)


async def drive(url: str, servers: dict[str, int], args) -> dict:
    """servers: each server's own URL (for the warm-up) and process id; url: where the sessions go."""
    from playwright.async_api import async_playwright

    timeout_ms = int(args.timeout * 1000)
    server_pid = list(servers.values())
    mem: dict[str, float] = {"idle_mb": rss_mb(server_pid)}
    if args.client_nice:
        # The browser stands in for 20 PCs: from here on this process and what it starts (Playwright's
        # driver, Chromium) yield the CPU to the server, which was started before at normal priority.
        os.nice(args.client_nice)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            await warm_up(browser, list(servers), timeout_ms)
            name = await policy_name(browser, url, timeout_ms)
            await asyncio.sleep(2)  # let the warm-up sessions end on the server
            mem["warm_mb"] = rss_mb(server_pid)
            chrome = browser_pid()
            stop = asyncio.Event()
            trace: list = []
            sampler = asyncio.create_task(sample_memory(server_pid, stop, trace))
            t_open = time.perf_counter()
            sessions = [
                Session(i, url, args.max_steps, timeout_ms, t_open, random.Random(args.seed + i), policy_name=name,
                        think=args.think)
                for i in range(args.sessions)
            ]
            gate = asyncio.Semaphore(max(1, args.open_concurrency))
            opened = await asyncio.gather(*(open_session(s, browser, gate) for s in sessions))
            open_s = time.perf_counter() - t_open
            mem["all_open_mb"] = rss_mb(server_pid)
            for log in args.profile_logs:
                log.write_text("")  # count only the measured period, not the opening
            load_before = load_average()
            cpu0 = cpu_now(server_pid, chrome)
            t0 = time.perf_counter()
            await asyncio.gather(*(act(s, page, t0 + args.seconds) for s, (_, page) in zip(sessions, opened)))
            wall = time.perf_counter() - t0
            cpu1 = cpu_now(server_pid, chrome)
            load_after = load_average()
            mem["end_all_open_mb"] = rss_mb(server_pid)
            stop.set()
            await sampler
            for context, _ in opened:
                await context.close()
        finally:
            await browser.close()
    await asyncio.sleep(args.settle)  # the server drops closed sessions
    mem["after_close_mb"] = rss_mb(server_pid)
    mem["peak_mb"] = max([m for _, m in trace] + [mem["end_all_open_mb"]])
    return {
        "sessions": sessions, "wall_s": wall, "open_s": open_s, "memory": mem,
        "cpu": cpu_split(cpu0, cpu1, wall) | {"load_average_before": load_before, "load_average_after": load_after},
    }


def cpu_now(server_pid: list[int], chrome: int | None) -> tuple[float, float, float, float]:
    """CPU seconds so far of the servers, the browser, the whole machine, and this process with what it started."""
    return (sum(map(cpu_seconds, server_pid)), tree_cpu_seconds(chrome) if chrome else 0.0, machine_busy_seconds(),
            tree_cpu_seconds(os.getpid()))


def cpu_split(cpu0: tuple, cpu1: tuple, wall: float) -> dict:
    """Who used the machine's CPU during the run: the server, the browser, this driver (with
    Playwright's node driver, minus the browser under it) and every other process on the machine."""
    server, browser, busy, ours = (b - a for a, b in zip(cpu0, cpu1))
    driver = max(0.0, ours - browser)  # the browser is a descendant of this process
    capacity = wall * os.cpu_count()
    others = max(0.0, busy - server - browser - driver)
    return {
        "wall_s": round(wall, 1), "capacity_cpu_s": round(capacity, 1),
        "server_s": round(server, 1), "browser_s": round(browser, 1), "driver_s": round(driver, 1),
        "other_processes_s": round(others, 1), "machine_busy_share": round(busy / capacity, 2),
    }


# --- report ---------------------------------------------------------------------------------------------

def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def breakdown(samples: list[Sample]) -> dict:
    """Where the time of in-page actions went, as the page saw it (see Sample)."""
    out = {}
    for kind in ("page_switch", "filter_change"):
        got = [x for x in samples if x.kind == kind and x.run_s is not None]
        out[kind] = {"n": len(got)} | {
            f"{part}_{q}": round(percentile([getattr(x, part) for x in got], p), 3) if got else None
            for part in ("to_run_s", "run_s", "draw_s") for q, p in (("p50", 50), ("p95", 95))
        }
    return out


def summarize(samples: list[Sample]) -> dict:
    return {kind: _stats([x.seconds for x in samples if x.kind == kind])
            for kind in ("initial_load", "page_switch", "reload", "filter_change")}


def server_log_problems(log: Path) -> list[str]:
    """Logged failures (the entry point logs "page … failed" with the traceback), one entry per
    distinct exception: the failure line, the traceback's last frames and the exception line."""
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    problems: dict[str, str] = {}
    counts: dict[str, int] = {}
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("Traceback"):
            j = i + 1
            while j < len(lines) and (lines[j].startswith(" ") or not lines[j].strip()):
                j += 1
            last = lines[j] if j < len(lines) else ""
            head = lines[i - 1] if i else ""
            problems.setdefault(last, "\n".join([head] + lines[max(i + 1, j - 6):j] + [last])[:2000])
            counts[last] = counts.get(last, 0) + 1
            i = j + 1
            continue
        if line.startswith(("ERROR", "CRITICAL")):
            problems.setdefault(line, line[:500])
            counts[line] = counts.get(line, 0) + 1
        i += 1
    return [f"{counts[k]}× {v}" for k, v in problems.items()][:20]


def print_table(result: dict) -> None:
    """Latencies, errors and targets; memory, the CPU split, the breakdown and the server profile are in the file."""
    s = result["latency"]
    print(f"\n{result['config']['sessions']} sessions × {result['config']['seconds']} s "
          f"on {result['machine']['usable_cores']} cores ({result['machine']['cpu']})")
    print(f"{'action':<15}{'n':>6}{'p50 s':>9}{'p95 s':>9}{'max s':>9}")
    for kind, v in s.items():
        if v["n"]:
            print(f"{kind:<15}{v['n']:>6}{v['p50_s']:>9.3f}{v['p95_s']:>9.3f}{v['max_s']:>9.3f}")
        else:
            print(f"{kind:<15}{0:>6}")
    print(f"errors: {len(result['errors'])} (error elements and timeouts), server log problems: "
          f"{len(result['server_log_problems'])}")
    for e in result["errors"][:10]:
        print(f"  session {e['session']} at {e['at']} s, {e['action']} on {e['page']}: {e['kind']}: {e['text'][:160]}")
    if result["machine_shared"]:
        print(f"WARNING: other processes used {result['cpu']['other_processes_s']} CPU s during the run: "
              "the machine was shared and the latencies are not this dashboard's alone")
    t = result["targets"]
    print(f"targets: no errors {'met' if t['no_errors'] else 'MISSED'}; filter-change p95 < {TARGET_FILTER_P95_S} s "
          f"{'met' if t['filter_p95'] else 'MISSED'}; memory growth < {TARGET_MEMORY_GROWTH_MB:.0f} MB "
          f"{'met' if t['memory'] else 'MISSED'}")


def _without_results(args: list[str]) -> str:
    """The command line as recorded: where the results were written is not part of the run."""
    return re.sub(r"\s*--results(=|\s+)\S+", "", " ".join(["python bench/load.py", *args]))


def _think(text: str) -> tuple[float, float]:
    low, _, high = text.partition(",")
    low_s, high_s = float(low), float(high or low)
    if not 0 <= low_s <= high_s:
        raise argparse.ArgumentTypeError("expected MIN,MAX seconds with 0 <= MIN <= MAX")
    return low_s, high_s


@contextlib.contextmanager
def serve(args, base: Path, reports: Path, db: Path):
    """Start one server, or args.replicas read-only ones behind Caddy; yield (the URL the sessions open,
    {each server's own URL: pid}, server logs, profile logs)."""
    env = {}
    if args.profile:
        (base / "profile").mkdir()
        (base / "profile" / "sitecustomize.py").write_text(PROFILE_SITECUSTOMIZE, encoding="utf-8")
        env["PYTHONPATH"] = os.pathsep.join([str(base / "profile"), str(ROOT)] + [
            p for p in [os.environ.get("PYTHONPATH")] if p])
    n = max(1, args.replicas)
    logs, profiles = [base / f"server{k}.log" for k in range(n)], [base / f"profile{k}.tsv" for k in range(n)]
    args.profile_logs = profiles if args.profile else []
    with contextlib.ExitStack() as stack:
        servers = {}
        for k in range(n):
            replica_env = env | {"EVALDASH_LOAD_PROFILE": str(profiles[k])}
            if args.replicas:  # the viewer replicas of deploy/Caddyfile
                replica_env |= {"EVALDASH_MODE": "read-only"}
            url, proc = stack.enter_context(running_server(reports, db, logs[k], replica_env,
                                                           base_path="hyoka" if args.replicas else ""))
            servers[url] = proc.pid
        if args.replicas:
            hosts = [u.split("/")[2] for u in servers]
            proxy, _ = stack.enter_context(running_caddy(hosts, hosts[0], base / "caddy", base / "caddy.log"))
            url = f"{proxy}/hyoka"
        yield url, servers, logs, profiles


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add = ap.add_argument
    add("--sessions", type=int, default=20, help="concurrent browser sessions (default 20)")
    add("--seconds", type=float, default=60, help="the measured period, once every session is open (default 60)")
    add("--max-steps", type=int, default=400, help="at most this many actions per session")
    add("--open-concurrency", type=int, default=2, help="sessions opening the dashboard at the same time (default 2)")
    add("--think", type=_think, default=(5.0, 15.0), metavar="MIN,MAX",
        help="seconds a session waits before each action, uniformly drawn (default 5,15; 0,0: no pause)")
    add("--reports", type=Path, default=store.DEFAULT_REPORTS, help="reports to serve, copied first (default data/reports)")
    add("--timeout", type=float, default=60, help="seconds an action may take before it counts as an error")
    add("--settle", type=float, default=5, help="seconds to wait after closing before the last RSS reading")
    add("--seed", type=int, default=1)
    add("--results", type=Path, default=None)
    add("--profile", action="store_true", help="time every script run and query execution (a cache miss) in the server")
    add("--client-nice", type=int, default=10, help="nice value added to the browser and its driver (default 10; 0: off)")
    add("--replicas", type=int, default=0,
        help="N read-only replicas behind Caddy instead of one server (results: load_proxy_results.json)")
    args = ap.parse_args(argv)
    if args.results is None:
        args.results = PROXY_RESULTS if args.replicas else DEFAULT_RESULTS
    if not chromium_path():
        print("chromium not found: install Debian's chromium (apt-get install chromium) or set EVALDASH_CHROMIUM",
              file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="evaldash-load-") as tmp:
        base = Path(tmp)
        reports = base / "reports"
        shutil.copytree(args.reports, reports)
        db = base / "evaldash.duckdb"
        built = store.build(reports, db)
        with serve(args, base, reports, db) as (url, servers, logs, profiles):
            run = asyncio.run(drive(url, servers, args))
        problems = [p for log in logs for p in server_log_problems(log)]
        profile = read_profile(profiles) if args.profile else None
        if profile and args.replicas:
            profile["by_replica"] = {name: read_profile([log])["script_runs"] for name, log in zip(servers, profiles)}
    samples = [x for s in run["sessions"] for x in s.samples]
    errors = [e for s in run["sessions"] for e in s.errors]
    latency = summarize(samples)
    mem = run["memory"]
    mem["growth_mb"] = round(mem["peak_mb"] - mem["warm_mb"], 1)
    mem = {k: round(v, 1) for k, v in mem.items()}
    fc = latency["filter_change"]
    result = {
        "command": _without_results(argv if argv is not None else sys.argv[1:]),
        "config": {"sessions": args.sessions, "seconds": args.seconds, "max_steps": args.max_steps,
                   "open_concurrency": args.open_concurrency, "think_s": list(args.think),
                   "client_nice": args.client_nice, "replicas": args.replicas,
                   "reports": args.reports.name, "store_rows": built.rows, "reports_in_store": built.reports},
        "machine": machine(), "latency": latency, "opening_s": round(run["open_s"], 1), "actions": len(samples),
        "actions_per_s": round(len(samples) / run["wall_s"], 1), "latency_breakdown": breakdown(samples), "memory": mem,
        "memory_growth_definition": "peak RSS during the run minus RSS after the warm-up (servers summed)",
        "samples": [[x.kind, round(x.seconds, 3), x.session, round(x.at, 2), x.page, x.detail]
                    + [None if v is None else round(v, 3) for v in (x.to_run_s, x.run_s, x.draw_s)] for x in samples],
        "cpu": run["cpu"], "errors": errors, "server_log_problems": problems, "server_profile": profile,
        "machine_shared": run["cpu"]["other_processes_s"] > 0.1 * run["cpu"]["capacity_cpu_s"],
        "targets": {
            "no_errors": not errors and not problems,
            "filter_p95": fc["n"] > 0 and fc["p95_s"] < TARGET_FILTER_P95_S,
            "memory": mem["growth_mb"] < TARGET_MEMORY_GROWTH_MB,
        },
    }
    print_table(result)
    args.results.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.results.relative_to(ROOT) if args.results.is_relative_to(ROOT) else args.results}")
    return 0 if all(result["targets"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())

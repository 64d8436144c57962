"""Serving while the store changes (issue 5, item 5) and the dashboard's DuckDB limits (item 3).

* imports while serving: three browser sessions keep re-querying the 変化 page of the real
  server while `python -m evaldash add` / `build` replace its store again and again; no
  session ever sees an error, every page shows exactly one state of the data, and a rerun
  started after an import shows that import's data;
* a build killed with SIGKILL, while parsing and while writing its temp file, leaves the
  store that is serving as it was, and the next build succeeds and clears the leftovers;
* the read-only connection the dashboard queries through cannot reach files, other
  databases or extensions, and runs with memory and thread limits.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from evaldash import sql, store
from tests.e2e.server import CHROMIUM_ARGS, ERROR_SELECTOR, chromium_path, running_server, wait_for_app

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "reports" / "tomakomai_R1.txt"
YEAR_LABELS = ["H30", "R1", "R2", "R3", "R4", "R5", "R6", "R7"]
SEP = "\u3000|\u3000"  # between the filter description and the 出典 in a page caption
TABLES = ["reports", "policies", "measures", "indicators", "observations", "flat_indicators", "meta"]


# --- helpers ------------------------------------------------------------------------------------

def _bump(cell: str, n: int) -> str:
    """A value n years on: integers +3 a year, one-decimal values +0.5 a year; '-' stays."""
    plain = cell.replace(",", "")
    try:
        value = float(plain)
    except ValueError:
        return cell
    if "." in plain:
        return f"{value + 0.5 * n:.1f}"
    return f"{int(value) + 3 * n:,}"


def derive_report(text: str, n: int) -> str:
    """The seed R1 report as the report n years later: 具体的な取組 (R{1+n}年度), the year header
    moved on by n, and per indicator the previous year's and the new year's value."""
    out, in_table = [], False
    for line in text.splitlines():
        cells = line.split("\t")
        if line.startswith("具体的な取組 (R1年度)"):
            line = line.replace("(R1年度)", f"({YEAR_LABELS[1 + n]}年度)")
        elif len(cells) == 8 and cells[1] == "指標名":
            cells[3:8] = [f"{YEAR_LABELS[k + n]}年度" for k in range(5)]
            line, in_table = "\t".join(cells), True
        elif line.startswith("今後の取組の方向性"):
            in_table = False
        elif in_table and len(cells) == 8 and cells[0] == "":
            r1 = cells[4]
            cells[3:8] = [_bump(r1, n - 1), _bump(r1, n), "", "", ""]
            line = "\t".join(cells)
        out.append(line)
    return "\n".join(out) + "\n"


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "evaldash", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def row_counts(db: Path) -> dict[str, int]:
    con = store.connect_readonly(db)
    try:
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in TABLES}  # our own names
    finally:
        con.close()


def temp_stores(db: Path) -> list[Path]:
    return sorted(db.parent.glob(f".{db.name}.*.tmp*"))


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if not path:
        pytest.fail("chromium not found: install Debian's chromium (scripts/test.sh does) or set EVALDASH_CHROMIUM")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


# --- (a) imports while serving ---------------------------------------------------------------------

# Every error element that ever appears in a page, even between two of our looks at it.
WATCH_ERRORS_JS = """
window.__errors = [];
new MutationObserver(() => {
  for (const el of document.querySelectorAll(%r)) {
    const t = el.innerText.slice(0, 200);
    if (!window.__errors.includes(t)) window.__errors.push(t);
  }
}).observe(document, {subtree: true, childList: true});
""" % ERROR_SELECTOR

# The script run is over and nothing is left to draw: stApp's script state, no stale element,
# no placeholder for a component still loading; and the page caption describes `describe`.
SETTLED_JS = """
([describe]) => {
  const app = document.querySelector('[data-testid=stApp]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-stale=true], [data-testid=stMain] [data-testid=stSkeleton]')) return false;
  const h = document.querySelector('[data-testid=stMain] h1');
  if (!h || h.innerText.trim() !== '変化') return false;
  const caps = [...document.querySelectorAll('[data-testid=stMain] [data-testid=stCaptionContainer]')];
  const code = document.querySelector('[data-testid=stMain] [data-testid=stCode] code');
  return !!code && caps.some(c => c.innerText.startsWith(describe === null ? '' : describe + '\u3000|'));
}
"""

STATE_JS = """
() => { const app = document.querySelector('[data-testid=stApp]'); const h = document.querySelector('[data-testid=stMain] h1');
  return {script: app && app.getAttribute('data-test-script-state'), connection: app && app.getAttribute('data-test-connection-state'),
          stale: document.querySelectorAll('[data-stale=true]').length,
          loading: document.querySelectorAll('[data-testid=stMain] [data-testid=stSkeleton]').length,
          spinner: document.querySelectorAll('[data-testid=stSpinner]').length, title: h && h.innerText,
          captions: [...document.querySelectorAll('[data-testid=stMain] [data-testid=stCaptionContainer]')].map(c => c.innerText.slice(0, 80)),
          pill: [...document.querySelectorAll('[data-testid=stSidebar] [data-testid=stButtonGroup] button')].map(b => b.getAttribute('aria-pressed')),
          url: location.href}; }
"""


def settle(page, describe: str | None, what: str, artifacts: Path | None = None) -> None:
    """wait_for_app, then until SETTLED_JS holds; on a timeout, fail with what the page shows."""
    try:
        wait_for_app(page, timeout_ms=60000)
        page.wait_for_function(SETTLED_JS, arg=[describe], timeout=60000, polling=50)
    except Exception as exc:
        shown = page.evaluate(STATE_JS)
        if artifacts:
            page.screenshot(path=str(artifacts / "unsettled.png"), full_page=True)
        raise AssertionError(f"{what}: the page did not settle on {describe!r} ({type(exc).__name__}); it shows {shown}")


READ_JS = """
() => ({
  caption: [...document.querySelectorAll('[data-testid=stMain] [data-testid=stCaptionContainer]')]
             .map(c => c.innerText).find(t => t.includes('\u3000|\u3000出典')) || '',
  code: (document.querySelector('[data-testid=stMain] [data-testid=stCode] code') || {innerText: ''}).innerText,
  errors: document.querySelectorAll(%r).length + window.__errors.length,
  errorText: window.__errors.join(' / '),
})
""" % ERROR_SELECTOR


def expected_states(base: Path, derived: list[Path]) -> list[dict]:
    """What the 変化 page must show for each state of the reports folder: the 出典 years and,
    with and without the 反映区分 A filter, the sentences for council material."""
    states = []
    for k in range(len(derived) + 1):
        folder = base / f"state{k}"
        folder.mkdir(parents=True)
        shutil.copy(SEED, folder)
        for path in derived[:k]:
            shutil.copy(path, folder)
        db = base / f"state{k}.duckdb"
        store.build(folder, db)
        con = store.connect_readonly(db)
        try:
            labels = sql.run(con, "sources")["report_label"].tolist()
            summaries = {
                describe: sorted(sql.run(con, "changes", {**sql.EMPTY_FILTER, "refl": refl, "min_abs_pct": 0.0})["summary"])
                for describe, refl in (("すべての施策", []), ("反映区分A", ["A"]))
            }
        finally:
            con.close()
        states.append({"labels": "・".join(labels), "summaries": summaries})
    return states


@pytest.mark.browser
def test_imports_while_serving(tmp_path, browser):
    reports, db = tmp_path / "reports", tmp_path / "evaldash.duckdb"
    reports.mkdir()
    shutil.copy(SEED, reports)
    store.build(reports, db)
    seed_text = SEED.read_text(encoding="utf-8")
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    derived = []
    for n in (1, 2):
        path = incoming / f"tomakomai_{YEAR_LABELS[1 + n]}.txt"
        path.write_text(derive_report(seed_text, n), encoding="utf-8")
        derived.append(path)
    states = expected_states(tmp_path / "expected", derived)
    assert [s["labels"] for s in states] == ["R1年度", "R1年度・R2年度", "R1年度・R2年度・R3年度"]
    assert len({repr(s["summaries"]) for s in states}) == 3, "the three states must look different on the page"

    common = ["--reports", str(reports), "--db", str(db)]
    # (command, state of the data once it is done): two next-year imports, each followed by a rebuild.
    plan = [(["add", str(derived[0]), *common], 1), (["build", *common], 1),
            (["add", str(derived[1]), *common], 2), (["build", *common], 2)]
    done: list[tuple[float, float, int]] = []  # (started, finished, state) per command
    failures: list[str] = []
    observations: list[dict] = []  # every page read, appended by the sessions' loop below

    def wait_for_a_round_after(started: float) -> bool:
        """Until every session has acted and been read since `started`: the next command waits for
        it, so reads overlap the imports however fast or slow this machine runs either side."""
        give_up = time.monotonic() + 90
        while time.monotonic() < give_up:
            if sum(o["action_at"] >= started for o in list(observations)) >= 3:
                return True
            time.sleep(0.05)
        return False

    def run_imports():
        time.sleep(1.5)  # the sessions are querying before the first import
        for k, (args, state) in enumerate(plan):
            started = time.monotonic()
            result = cli(*args)
            if result.returncode != 0:
                failures.append(f"{' '.join(args[:1])}: exit {result.returncode}: {result.stderr[-800:]}")
                return
            done.append((started, time.monotonic(), state))
            if k < len(plan) - 1 and not wait_for_a_round_after(started):
                failures.append(f"the sessions read no page for 90 s after command {k} started")
                return

    def state_of(seen: dict) -> tuple[int | None, str]:
        caption = seen["caption"]
        describe, _, source = caption.partition(SEP)
        lines = sorted(x for x in seen["code"].split("\n") if x.strip())
        by_caption = [k for k, s in enumerate(states) if source.endswith("施策評価表 " + s["labels"])]
        by_lines = [k for k, s in enumerate(states) if s["summaries"].get(describe) == lines]
        if len(by_caption) != 1 or by_caption != by_lines:
            return None, f"caption {caption!r} (states {by_caption}) with sentences of states {by_lines}"
        return by_caption[0], describe

    log = tmp_path / "server.log"
    with running_server(reports, db, log) as (url, _proc):
        sessions = []
        for _ in range(3):
            context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
            context.add_init_script(WATCH_ERRORS_JS)
            page = context.new_page()
            page.goto(f"{url}/changes", wait_until="commit")
            sessions.append(page)
        for i, page in enumerate(sessions):
            settle(page, None, f"session {i} opening", tmp_path)

        importer = threading.Thread(target=run_imports, daemon=True)
        importer.start()
        started = time.monotonic()
        deadline = started + 240
        rounds = 0

        def one_round(final: bool = False):
            """Every session acts (reload, or the 反映区分 A pill), then each is read once its run is over."""
            acts = []
            for i, page in enumerate(sessions):
                before = page.evaluate(READ_JS)
                assert before["errors"] == 0, f"session {i} showed an error: {before['errorText']}"
                describe = before["caption"].partition(SEP)[0]
                t_action = time.monotonic()
                if final or (rounds + i) % 2 == 0:
                    page.reload(wait_until="commit")
                else:
                    pill = re.compile(r"^A（\d+）：")  # 「A（件数）：…」
                    page.locator("[data-testid=stSidebar] [data-testid=stButtonGroup] button", has_text=pill).click()
                    describe = "すべての施策" if describe == "反映区分A" else "反映区分A"
                acts.append((page, t_action, describe))
            for i, (page, t_action, describe) in enumerate(acts):
                settle(page, describe, f"session {i}, round {rounds}", tmp_path)
                seen = page.evaluate(READ_JS)
                observations.append({"session": i, "action_at": t_action, "seen_at": time.monotonic(), **seen,
                                     "state": state_of(seen), "final": final})

        while (importer.is_alive() or not done) and time.monotonic() < deadline and rounds < 300:
            one_round()
            rounds += 1
        importer.join(timeout=max(1.0, deadline - time.monotonic()))
        assert not importer.is_alive(), "the imports did not finish in time"
        assert not failures, failures
        one_round(final=True)  # a rerun after the last import
        for page in sessions:
            page.context.close()

    problems = [line for line in log.read_text(errors="replace").splitlines() if "Traceback" in line or " failed" in line]
    assert not problems, f"the server logged failures: {problems[:5]}; see {log}"
    assert len(done) == len(plan)
    first_start, last_end = done[0][0], done[-1][1]
    during = [o for o in observations if first_start <= o["action_at"] <= last_end]
    # Each command but the last waited for a round of reads started after it began.
    assert len(during) >= 3 * (len(plan) - 1), f"only {len(during)} page reads overlapped the imports"

    for o in observations:
        assert o["errors"] == 0, f"session {o['session']} saw an error element: {o['errorText']}"
        state, why = o["state"]
        assert state is not None, f"session {o['session']} saw a mix of old and new data: {why}"
        # A run started after an import finished shows at least that import's data; a page never
        # shows the data of an import that had not started when it was read.
        at_least = max([s for _, end, s in done if end < o["action_at"]], default=0)
        at_most = max([s for begin, _, s in done if begin < o["seen_at"]], default=0)
        assert at_least <= state <= at_most, (
            f"session {o['session']} showed state {state} ({states[state]['labels']}); "
            f"expected {at_least}..{at_most} for a run started {o['action_at'] - first_start:+.1f} s after the first import")
    finals = [o for o in observations if o["final"]]
    assert len(finals) == 3 and all(o["state"][0] == len(states) - 1 for o in finals), \
        [(o["session"], o["caption"]) for o in finals]
    seen_states = {o["state"][0] for o in observations}
    assert {0, len(states) - 1} <= seen_states, f"the sessions saw states {seen_states}: old and new must both show"


def test_a_cached_connection_reads_the_version_its_key_names(tmp_path):
    """data._connection is cached per (path, file identity) and opens the file at the path: if a
    build replaced the file after the identity was read, it must not hand back the new file under
    the old key (the run would then mix cached old results with new ones on one page)."""
    from evaldash.ui import data

    reports, db = tmp_path / "reports", tmp_path / "evaldash.duckdb"
    reports.mkdir()
    shutil.copy(SEED, reports)
    store.build(reports, db)
    old = store.store_identity(db)
    (reports / "tomakomai_R2.txt").write_text(derive_report(SEED.read_text(encoding="utf-8"), 1), encoding="utf-8")
    store.build(reports, db)
    new = store.store_identity(db)
    assert new != old
    data._connection.clear()
    try:
        with pytest.raises(data.StoreReplaced):
            data._connection(str(db), old)
        con = data._connection(str(db), new)
        assert sql.run(con, "sources")["report_label"].tolist() == ["R1年度", "R2年度"]
    finally:
        data._connection.clear()


# --- (b) a build killed midway ----------------------------------------------------------------------

def _build_until(reports: Path, db: Path, kill_when) -> tuple[int, list[str]]:
    """Start `python -m evaldash build`; SIGKILL it once kill_when(progress line) says so. Returns the
    exit status (-9 when killed) and the progress lines it printed."""
    proc = subprocess.Popen([sys.executable, "-m", "evaldash", "build", "--reports", str(reports), "--db", str(db)],
                            cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    lines: list[str] = []
    deadline = time.monotonic() + 120
    try:
        for line in proc.stderr:
            lines.append(line.strip())
            if kill_when(line):
                os.kill(proc.pid, signal.SIGKILL)
                break
            if time.monotonic() > deadline:
                break
        return proc.wait(timeout=60), lines
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()


def test_build_killed_midway_leaves_the_store_serving(tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import generate
    finally:
        sys.path.remove(str(ROOT / "bench"))
    reports, db = tmp_path / "reports", tmp_path / "evaldash.duckdb"
    # Three municipalities × 600 indicators × 2 report years: a build of a few seconds.
    expected = generate.write_corpus(generate.CorpusSpec("kill", 3, [2019, 2020], 600), reports)
    assert len(expected) == 6
    store.build(reports, db)
    before = row_counts(db)
    identity = store.store_identity(db)
    assert before["reports"] == 6 and before["indicators"] >= 3 * 600

    # 1. killed while parsing, holding the build lock
    status, lines = _build_until(reports, db, lambda line: line.startswith("[2/"))
    assert status == -signal.SIGKILL, f"the build was not killed while parsing (exit {status}): {lines}"
    assert store.store_identity(db) == identity and row_counts(db) == before

    # 2. killed while writing the new store beside the old one
    def writing(line: str) -> bool:
        if not line.startswith("writing"):
            return False
        until = time.monotonic() + 10
        while not temp_stores(db) and time.monotonic() < until:  # the temp file is opened right after
            time.sleep(0.005)
        return True

    status, lines = _build_until(reports, db, writing)
    assert status == -signal.SIGKILL, f"the build finished before it could be killed: {lines}"
    leftovers = temp_stores(db)
    assert leftovers, "no temp store after a build killed while writing: it was not killed midway"
    assert all(p.name.startswith(f".{db.name}.") for p in leftovers)
    # The store that is serving is the same file, whole, and opens as the dashboard opens it.
    assert store.store_identity(db) == identity
    assert row_counts(db) == before
    assert store.read_meta(db)["reports"].count(".txt") == 6
    con = store.connect_readonly(db)
    try:
        assert len(sql.run(con, "changes", {"min_abs_pct": 0.0})) == before["indicators"]
    finally:
        con.close()

    # 3. the next build takes the lock, replaces the store and clears the leftovers
    result = cli("build", "--reports", str(reports), "--db", str(db), timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    assert store.store_identity(db) != identity
    assert row_counts(db) == before
    assert temp_stores(db) == [], f"temp stores left after a successful build: {temp_stores(db)}"


# --- (c) the dashboard's connection is fenced in -----------------------------------------------------

@pytest.fixture
def readonly(tmp_path):
    reports, db = tmp_path / "reports", tmp_path / "evaldash.duckdb"
    reports.mkdir()
    shutil.copy(SEED, reports)
    store.build(reports, db)
    con = store.connect_readonly(db)
    yield con, db, tmp_path
    con.close()


def test_readonly_connection_reaches_nothing_outside_the_store(readonly):
    con, _, tmp = readonly
    outside = tmp / "outside.csv"
    outside.write_text("a,b\n1,2\n", encoding="utf-8")
    other = tmp / "other.duckdb"
    duckdb.connect(str(other)).close()
    target = tmp / "copied.csv"
    attempts = {
        "read_csv": f"SELECT * FROM read_csv('{outside}')",
        "replacement scan": f"SELECT * FROM '{outside}'",
        "glob": f"SELECT * FROM glob('{tmp}/*')",
        "COPY TO": f"COPY (SELECT 1 AS x) TO '{target}'",
        "ATTACH": f"ATTACH '{other}' AS other",
        "INSTALL": "INSTALL httpfs",
        "LOAD": "LOAD httpfs",
        "re-enable access": "SET enable_external_access = true",
    }
    allowed = []
    for what, statement in attempts.items():
        try:
            con.execute(statement).fetchall()
        except duckdb.Error as exc:
            message = str(exc).lower()
            assert any(w in message for w in ("external", "disabled", "permission", "cannot change", "read-only",
                                              "read only", "not allowed")), f"{what}: refused for another reason: {exc}"
        else:
            allowed.append(what)
    assert not allowed, f"the dashboard's connection allowed: {allowed}"
    assert not target.exists()
    # The store itself is unchanged and still answers the named queries.
    with pytest.raises(duckdb.Error):
        con.execute("CREATE TABLE store.main.x (a INTEGER)")
    assert len(sql.run(con, "sources")) == 1


def test_readonly_connection_cannot_write_the_store(readonly):
    """No statement on the dashboard's connection can turn it into a writer of the store that is serving:
    not an ATTACH of the store file beside the read-only one, nor a DETACH and an ATTACH read-write."""
    con, db, _ = readonly
    before = row_counts(db)
    identity = store.store_identity(db)
    wrote = []
    for statements in ([f"ATTACH '{db}' AS w", "CREATE TABLE w.main.planted AS SELECT 1 AS x"],
                       ["DETACH store", f"ATTACH '{db}' AS w", "CREATE TABLE w.main.planted AS SELECT 1 AS x",
                        "CHECKPOINT w"]):
        try:
            for statement in statements:
                con.execute(statement)
        except duckdb.Error:
            continue
        wrote.append(" ; ".join(statements))
    assert not wrote, f"the dashboard's connection wrote into the store with: {wrote}"
    assert store.store_identity(db) == identity
    check = duckdb.connect(str(db), read_only=True)
    try:
        tables = {t for (t,) in check.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    finally:
        check.close()
    assert "planted" not in tables
    assert row_counts(db) == before


def test_readonly_connection_limits_cannot_be_raised(readonly):
    """A statement on the dashboard's connection cannot lift its memory or thread limit."""
    con, _, _ = readonly
    changed = []
    for statement in ("SET memory_limit = '64GB'", "SET threads = 64", "RESET memory_limit",
                      "SET temp_directory = '.'", "SET disabled_filesystems = ''"):
        try:
            con.execute(statement)
        except duckdb.Error:
            continue
        changed.append(statement)
    limits = dict(con.execute(
        "SELECT name, value FROM duckdb_settings() WHERE name IN ('memory_limit', 'threads')").fetchall())
    assert not changed, f"the dashboard's connection accepted {changed}; limits now {limits}"


def test_readonly_connection_has_memory_and_thread_limits(readonly):
    con, _, _ = readonly
    settings = dict(con.execute(
        "SELECT name, value FROM duckdb_settings() WHERE name IN "
        "('memory_limit', 'threads', 'enable_external_access', 'max_memory', 'worker_threads')"
    ).fetchall())
    assert settings.get("enable_external_access") == "false", settings
    assert int(settings["threads"]) == int(store.READONLY_CONFIG["threads"]) <= 4, settings
    limit = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    amount, unit = limit.split()
    factor = {"KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12}[unit]
    assert float(amount) * factor <= 2 * 2**30, f"memory_limit {limit} is over 2 GiB"
    # the limit is the one the dashboard asks for, not DuckDB's default (80 % of RAM)
    assert abs(float(amount) * factor - 1e9) / 1e9 < 0.1, limit

"""Page reruns through streamlit.testing.v1.AppTest against their bare floor (issue 6).

For each page, in the child process bench/run.py starts per scale: warm reruns (queries from the caches), cold
reruns (both caches cleared), a filter change (a keyword that matches nothing, then emptied and timed), fragment
reruns, and the floor: bench/floor/replay.py redrawing the elements the real page drew in one recorded run. With
several municipalities the sidebar's 自治体 is set to the first one, and each page is also opened unfiltered.
"""

from __future__ import annotations

import contextlib
import functools
import os
import pickle
import shutil
import threading
import time
from pathlib import Path

from run import stats_ms  # one definition of the percentiles (bench/run.py runs this module in a child)

ROOT = Path(__file__).resolve().parent.parent
FLOOR = Path(__file__).resolve().parent / "floor" / "replay.py"

# Element methods whose calls are recorded for the floor. Layout containers are left out.
ELEMENTS = (
    "title", "header", "subheader", "markdown", "caption", "code", "text", "write", "divider", "metric",
    "plotly_chart", "dataframe", "table", "line_chart", "bar_chart", "json", "image",
    "multiselect", "selectbox", "segmented_control", "pills", "text_input", "number_input", "button",
    "download_button", "page_link", "toggle", "checkbox", "radio", "slider", "file_uploader",
    "info", "warning", "error", "success", "badge", "link_button",
)
DROP_KWARGS = {"on_click", "on_change", "args", "kwargs", "format_func"}
# The keyword of the filter change's first step: it matches no measure, so that run is cheap and warms only what
# does not take the filter.
NO_MATCH = "該当する施策のない語"


class Recorder:
    """Records element calls on every DeltaGenerator while `active`."""

    def __init__(self):
        import streamlit as st
        from streamlit.delta_generator import DeltaGenerator

        self.active, self.calls, self.local = False, [], threading.local()
        self.saved = []  # (owner, name, original), put back by restore()
        for name in ELEMENTS:
            orig = getattr(DeltaGenerator, name, None)
            if orig is None:
                continue
            wrapped = self._wrap(name, orig)
            self.saved.append((DeltaGenerator, name, orig))
            setattr(DeltaGenerator, name, wrapped)
            # st.title and friends are methods bound to the main DeltaGenerator at import time.
            bound = getattr(st, name, None)
            if isinstance(getattr(bound, "__self__", None), DeltaGenerator):
                self.saved.append((st, name, bound))
                setattr(st, name, functools.partial(wrapped, bound.__self__))

    def _wrap(self, name, orig):
        def method(dg, *args, **kwargs):
            depth = getattr(self.local, "depth", 0)
            if self.active and depth == 0:
                self.calls.append((name, getattr(dg, "_root_container", 0) == 1, args, kwargs))
            self.local.depth = depth + 1
            try:
                return orig(dg, *args, **kwargs)
            finally:
                self.local.depth = depth

        return method

    def dump(self, path: Path) -> int:
        clean = []
        for name, sidebar, args, kwargs in self.calls:
            kw = {k: v for k, v in kwargs.items() if k not in DROP_KWARGS}
            if name == "download_button":
                args = (args[0], b"floor") + tuple(args[2:]) if len(args) > 1 else args
                if callable(kw.get("data")):
                    kw["data"] = b"floor"
            args = tuple(None if callable(a) else a for a in args)
            # A pandas Styler does not pickle: the floor draws its frame, the same cells without the styler's text
            # (left out, the floor had no table at all).
            args = tuple(a.data if type(a).__name__ == "Styler" else a for a in args)
            try:
                pickle.dumps((args, kw))
            except Exception:  # noqa: BLE001 - an argument that cannot be precomputed is left out
                continue
            clean.append((name, sidebar, args, kw))
        path.write_bytes(pickle.dumps(clean))
        return len(clean)

    def restore(self) -> None:
        for owner, name, orig in self.saved:
            setattr(owner, name, orig)


def _prepare_store(reports: Path, db: Path) -> Path:
    """The store the dashboard will open without rebuilding: its fingerprint must match the folder."""
    import duckdb

    from evaldash import store

    if not store.freshness(db, reports).stale:
        return db
    copy = db.with_name(db.stem + ".pages.duckdb")
    shutil.copy2(db, copy)
    con = duckdb.connect(str(copy))
    try:
        con.execute("UPDATE meta SET value = ? WHERE key = 'fingerprint'", [store.fingerprint(reports)])
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return copy


def share_script_cache() -> None:
    """Compile each script once per process, as the server does.

    A running server holds one ScriptCache (streamlit.runtime.Runtime), so each page's source is parsed, given
    Streamlit's "magic" and compiled once. AppTest makes a new ScriptCache on every run, which charges each run
    with compiling every script it executes again (dashboard.py and the page, against one small file for the floor).
    Sharing one cache measures what a user waits for, for the real pages and the floor alike.
    """
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared


def remember_navigation() -> None:
    """Keep, as a server does, that st.navigation has run.

    A server treats an app with a pages/ folder as a v1 multipage app until st.navigation first runs, then never
    again (PagesManager.uses_pages_directory, a class attribute, becomes False). AppTest sets it back to None before
    every run, so each run would take the route of a server's very first request: the page file runs alone and
    ui.require_entry_point runs dashboard.py around it (compiled again each time by runpy). A subclass takes
    AppTest's reset; the attribute Streamlit reads stays as the last run left it.
    """
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import app_test

    class ServerLikePagesManager(PagesManager):
        pass

    app_test.PagesManager = ServerLikePagesManager


@contextlib.contextmanager
def fragment_rerun(fragment_ids: list[str]):
    """Within this block, AppTest's runs rerun only the given fragments, as a server does when a widget inside
    a fragment changes (AppTest itself always reruns the whole script)."""
    from streamlit.runtime.scriptrunner_utils.script_requests import RerunData
    from streamlit.testing.v1 import local_script_runner

    saved = local_script_runner.RerunData
    local_script_runner.RerunData = functools.partial(RerunData, fragment_id_queue=list(fragment_ids))
    try:
        yield
    finally:
        local_script_runner.RerunData = saved


def run_for_fragments(at) -> list[str]:
    """Run the whole page once and return the fragments that run registered, in the order they ran.

    AppTest's fragment storage outlives a run (fragments of the page visited before may still be in it).
    """
    storage = at._fragment_storage
    before = storage.registration_sequence()
    at.run()
    return storage.order_fragment_ids(list(storage.ids_registered_after(before)))


def clear_results() -> None:
    """Forget query results and built charts, as a filter change finds them (the connection stays open)."""
    import streamlit as st

    from evaldash import ui

    st.cache_data.clear()  # a failed build's findings
    ui.data.clear()


def set_keyword(at, text: str) -> None:
    """The sidebar's キーワード検索, as a user types it."""
    at.sidebar.text_input(key="f_q").set_value(text)


def before_filter_change(at) -> None:
    """Caches cleared, then a run with a keyword that matches nothing (it warms what takes no filter), then the
    keyword emptied: the next run is a filter change to a filter nobody has asked for yet."""
    clear_results()
    set_keyword(at, NO_MATCH)
    at.run()
    set_keyword(at, "")


def _app(timeout: int = 900):
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=timeout)


def _seconds(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def _failures(at, errors: bool = True) -> list[str]:
    """What a run raised and, with errors, the st.error it showed (dashboard.py shows a page's exception so)."""
    return [str(e.value) for e in at.exception] + ([e.value for e in at.error] if errors else [])


def _unfiltered(path: str) -> dict:
    """The page opened with no filter on a store of several cities (all of a national store's 1,700): its first
    run, then one warm rerun. Pages cap what they draw there (rows, cities, series); this times that they do."""
    at = _app()
    at.run()
    first = _seconds(lambda: at.switch_page(path).run()) * 1000
    warm = _seconds(at.run) * 1000
    failed = _failures(at)
    return {"unfiltered_error": failed[0][:500]} if failed else {"unfiltered_first_ms": first, "unfiltered_warm_ms": warm}


def _timed_page(at, fl, runs: int, res: dict) -> None:
    """Warm, cold, floor and filter change interleaved, so a busy machine weighs on all of them alike; then a
    widget inside a fragment (推移's chart options, 概要's 運営方針, 変化's row pick), which reruns that fragment
    only, against the same whole-page floor."""
    warm, cold, change, floor = [], [], [], []
    for _ in range(runs):
        warm.append(_seconds(at.run))
        clear_results()
        cold.append(_seconds(at.run))
        floor.append(_seconds(fl.run))
        before_filter_change(at)
        change.append(_seconds(at.run))
    if fl.exception:
        res["floor_error"] = str(fl.exception[0].value)[:500]
    failed = _failures(at)
    if failed:  # after a filter change: the page must draw as it did
        res["change_error"] = failed[0][:500]
    res.update(warm=stats_ms(warm), cold=stats_ms(cold), floor=stats_ms(floor), change=stats_ms(change))
    for kind in ("warm", "cold", "change"):
        res[f"{kind}_over_floor"] = res[kind]["p50_ms"] / res["floor"]["p50_ms"]
    ids = run_for_fragments(at)
    if ids:
        with fragment_rerun(ids[:1]):
            fragment = [_seconds(at.run) for _ in range(runs)]
        failed = _failures(at, errors=False)
        at.run()  # back to a whole run, as the next interaction outside the fragment would be
        if failed:
            res["fragment_error"] = failed[0][:500]
        else:
            res["fragment"] = stats_ms(fragment)
            res["fragment_over_floor"] = res["fragment"]["p50_ms"] / res["floor"]["p50_ms"]


def child_pages(reports: Path, db: Path, runs: int) -> dict:
    from streamlit.testing.v1 import AppTest

    share_script_cache()
    remember_navigation()

    from evaldash import store, ui

    reports = Path(reports).resolve()
    reports.mkdir(parents=True, exist_ok=True)
    db = _prepare_store(reports, Path(db).resolve())
    os.environ["EVALDASH_REPORTS"] = str(reports)
    os.environ["EVALDASH_DB"] = str(db)
    con = store.connect_readonly(db)
    munis = [r[0] for r in con.execute("SELECT DISTINCT municipality FROM measures ORDER BY 1").fetchall()]
    con.close()
    several = len(munis) > 1
    rec = Recorder()
    out = {"filter": {"muni": [munis[0]]} if several else {}, "pages": {}}
    logs = Path(db).parent / "floor_logs"
    logs.mkdir(exist_ok=True)
    try:
        for page, path in ui.PAGE_FILES.items():
            res = out["pages"][page] = {}
            if several and page == "overview":
                # The landing page as a first visit sees it: no filter, every municipality.
                res["landing_unfiltered_ms"] = _seconds(_app().run) * 1000
                clear_results()
            at = _app()
            if several:
                at.query_params["muni"] = munis[0]  # a shared link for one city: the sidebar seeds from it
            # Open the app, then go to the page, as a user does. Starting the AppTest on the page file would
            # measure, on every run, the route of a server's very first request (a pages/ folder is a v1 app
            # until st.navigation has run once, see ui.require_entry_point): AppTest forgets that
            # st.navigation ran at each run, a server does not.
            at.run()
            res["first_run_ms"] = _seconds(lambda: at.switch_page(path).run()) * 1000
            failed = _failures(at)
            if failed:  # a page that failed is not timed
                res["error"] = failed[0][:500]
                continue
            rec.calls, rec.active = [], True
            at.run()
            rec.active = False
            log = logs / f"{page}.pkl"
            res["elements"] = rec.dump(log)
            fl = AppTest.from_file(str(FLOOR), default_timeout=900)
            os.environ["BENCH_FLOOR_LOG"] = str(log)
            fl.run()  # loads the recorded elements once (cache_resource), as precomputed data
            _timed_page(at, fl, runs, res)
            if several:
                res.update(_unfiltered(path))
    finally:
        rec.restore()
    return out

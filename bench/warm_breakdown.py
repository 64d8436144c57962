"""Where a warm page rerun (a widget that changes no data) spends its time, against the page's bare floor.

    python bench/warm_breakdown.py bench/out/run/x1 trends [runs]   # a scale folder of bench/run.py, a page

Reruns the page through AppTest as bench/pages_bench.py's warm rerun does, with every element call (st.markdown,
st.plotly_chart, …, as the floor replays them) and every evaldash.ui helper timed: the time of each, per rerun. A
helper's time includes the element calls it makes (the sidebar draws its widgets); nested calls are not counted
twice. What is neither an element call nor a helper is the page script's own code (its pandas), timed apart, and
then the entry point's, Streamlit's script runner's and AppTest's own work.
"""

from __future__ import annotations

import collections
import functools
import logging
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

HELPERS = ("sidebar", "current_store", "query", "shaped", "query_rows", "figure", "rows", "page_header", "measure_link",
           "page_link", "source_caption", "write_url", "seed_from_url", "keep_valid", "shown", "caption")
LAYOUT = ("columns", "container", "expander", "tabs")


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    logging.disable(logging.WARNING)
    import pages_bench as pb
    import streamlit as st
    from streamlit.delta_generator import DeltaGenerator
    from evaldash import ui

    pb.share_script_cache()
    pb.remember_navigation()
    folder, page = Path(argv[0]).resolve(), argv[1]
    runs = int(argv[2]) if len(argv) == 3 else 40
    db = pb._prepare_store(folder / "reports", folder / "store.duckdb")
    os.environ["EVALDASH_REPORTS"] = str(folder / "reports")
    os.environ["EVALDASH_DB"] = str(db)

    spent: collections.Counter = collections.Counter()
    calls: collections.Counter = collections.Counter()
    local = threading.local()

    def timed(label, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            depth = getattr(local, "depth", 0)
            local.depth = depth + 1
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                local.depth = depth
                if depth == 0:  # only the outermost call: a helper's element calls are in its time
                    spent[label] += time.perf_counter() - start
                    calls[label] += 1
        return wrapper

    for name in pb.ELEMENTS + LAYOUT:
        method = getattr(DeltaGenerator, name, None)
        if method is None:
            continue
        wrapped = timed(f"st.{name}", method)
        setattr(DeltaGenerator, name, wrapped)
        bound = getattr(st, name, None)  # st.title and friends are bound to the main DeltaGenerator
        if isinstance(getattr(bound, "__self__", None), DeltaGenerator):
            setattr(st, name, functools.partial(wrapped, bound.__self__))
    for name in HELPERS:
        if hasattr(ui, name):  # an older commit may lack some (to compare before and after)
            setattr(ui, name, timed(f"ui.{name}", getattr(ui, name)))

    # The page script's own code: its time less the element calls and helpers timed inside it. The rest of a
    # rerun is then the entry point's, Streamlit's script runner's and AppTest's.
    from streamlit.navigation.page import StreamlitPage

    own = [0.0]
    page_run = StreamlitPage.run

    def run_page(self):
        inside, start = sum(spent.values()), time.perf_counter()
        try:
            return page_run(self)
        finally:
            own[0] += (time.perf_counter() - start) - (sum(spent.values()) - inside)

    StreamlitPage.run = run_page

    at = pb.open_page(page, pb.first_city(db))  # one city, as the page benchmark does
    spent.clear()
    calls.clear()
    own[0] = 0.0
    walls = []
    for _ in range(runs):
        start = time.perf_counter()
        at.run()
        walls.append(time.perf_counter() - start)
    walls.sort()
    mean = sum(walls) / runs * 1000
    print(f"{page} at {folder.name}: warm rerun p50 {walls[runs // 2] * 1000:.1f} ms, mean {mean:.1f} ms ({runs} runs)")
    print(f"{'part':24} {'ms a rerun':>10} {'calls':>6}")
    for label, seconds in spent.most_common():
        print(f"{label:24} {seconds / runs * 1000:10.2f} {calls[label] / runs:6.1f}")
    mine = own[0] / runs * 1000
    rest = mean - sum(spent.values()) / runs * 1000 - mine
    print(f"{'(the page script)':24} {mine:10.2f}        the page's own code, less the parts above")
    print(f"{'(the rest)':24} {rest:10.2f}        the entry point's own code, the script runner's and AppTest's")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

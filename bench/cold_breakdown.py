"""Where a cold page rerun (a filter change) spends its time: the named queries, and their planning.

    python bench/cold_breakdown.py bench/out/run/x1000    # a scale folder of bench/run.py (reports/, store.duckdb)

For each page: one AppTest rerun with the query results and charts forgotten (as bench/pages_bench.py's cold rerun),
with every evaldash.sql.run call timed; then each of those calls again under EXPLAIN ANALYZE for DuckDB's
planning (planner, optimizer, physical planner). Prints the rerun's wall time, the queries' share and the planning's
share: the most that one query per page instead of several could save is the planning. Then the same for the
benchmark's filter change (a keyword nobody asked for: only the queries that take the filter run), p50 of five.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PAGES = ("overview", "trends", "changes", "card", "data")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    logging.disable(logging.WARNING)
    import pages_bench as pb

    from evaldash import sql, store

    pb.share_script_cache()
    pb.remember_navigation()
    folder = Path(argv[0]).resolve()
    db = pb._prepare_store(folder / "reports", folder / "store.duckdb")
    os.environ["EVALDASH_REPORTS"] = str(folder / "reports")
    os.environ["EVALDASH_DB"] = str(db)
    calls: list = []
    real = sql.run

    def timed_run(con, name, params=None, order=None, descending=False):
        start = time.perf_counter()
        try:
            return real(con, name, params, order, descending)
        finally:
            calls.append((name, dict(params or {}), order, descending, (time.perf_counter() - start) * 1000))

    sql.run = timed_run
    con = store.connect_readonly(db)
    city = pb.first_city(db)  # one city, as the page benchmark does
    print(f"{'page':9} {'cold rerun ms':>14} {'queries':>8} {'query ms':>9} {'planning ms':>12}")
    for page in PAGES:
        at = pb.open_page(page, city)
        pb.clear_results()
        calls.clear()
        start = time.perf_counter()
        at.run()
        total = (time.perf_counter() - start) * 1000
        planning = 0.0
        for name, params, order, descending, _ in calls:
            query = sql.load(name)
            given = {**sql.DEFAULTS, **params}
            bound = {k: given[k] for k in query.params}
            text = "EXPLAIN (ANALYZE, FORMAT json) " + sql.render(query, order, descending)
            profile = json.loads(con.execute(text, bound).fetchall()[0][1])
            profile = profile[0] if isinstance(profile, list) else profile
            planning += sum(profile[k]["total_time"] for k in ("planner", "optimizer", "physical_planner")) * 1000
        print(f"{page:9} {total:14.1f} {len(calls):8} {sum(c[-1] for c in calls):9.1f} {planning:12.1f}")
    print(f"\n{'page':9} {'filter change ms':>17} {'queries':>8} {'query ms':>9} {'rest ms':>8}")
    for page in PAGES:
        at = pb.open_page(page, city)
        runs = []
        for _ in range(5):
            pb.before_filter_change(at)
            calls.clear()
            start = time.perf_counter()
            at.run()
            total = (time.perf_counter() - start) * 1000
            runs.append((total, len(calls), sum(c[-1] for c in calls)))
        total, count, query_ms = sorted(runs)[2]
        print(f"{page:9} {total:17.1f} {count:8} {query_ms:9.1f} {total - query_ms:8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

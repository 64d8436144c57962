"""The alternative to planning the filter macros in every query: the selection computed once, as indicator ids.

    python bench/compare_selection.py bench/out/run/x1000/store.duckdb [runs]

Times, interleaved, with the benchmark's search filter (one city, one 部, a keyword): `indicator_wide` as it is
(the filter's six parameters expanded through `selected_indicators` in the query); the selection alone, once
(`selected_indicators` as a list of indicator ids); and `indicator_wide` taking that list instead of the macro.
A page runs several filtered queries on one selection, so the second is paid once and the third on each. Checks
that both forms return the same rows.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

FILTER = ("muni", "pol", "dept", "sec", "refl", "q")
MACRO = ("FROM selected_indicators($muni::VARCHAR[], $pol::INTEGER[], $dept::VARCHAR[], $sec::VARCHAR[], "
         "$refl::VARCHAR[], $q::VARCHAR) s\n  JOIN measures m USING (municipality, measure_id)")
BY_IDS = ("FROM indicators s\n  JOIN measures m USING (municipality, measure_id)\n"
          "  WHERE list_contains($ids::VARCHAR[], s.indicator_id)"
          " AND (len($muni::VARCHAR[]) = 0 OR list_contains($muni::VARCHAR[], s.municipality))")
SELECTION = ("SELECT list(indicator_id) FROM selected_indicators($muni::VARCHAR[], $pol::INTEGER[], $dept::VARCHAR[], "
             "$sec::VARCHAR[], $refl::VARCHAR[], $q::VARCHAR)")


def main(argv: list[str]) -> int:
    if not argv or len(argv) > 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    import run as bench_run
    from evaldash import sql, store

    con = store.connect_readonly(Path(argv[0]))
    runs = int(argv[1]) if len(argv) == 2 else 40
    variants, extra = bench_run.filter_variants(con)
    extra.pop("_info")
    params = {**sql.DEFAULTS, **variants["search"], **extra}
    query = sql.load("indicator_wide")
    text = sql.render(query)
    if MACRO not in text:
        print("queries/indicator_wide.sql no longer selects through the macro as this script expects", file=sys.stderr)
        return 1
    by_ids = text.replace(MACRO, BY_IDS)
    bound = {k: params[k] for k in query.params}

    def run(statement: str, values: dict):
        cur = con.cursor()
        try:
            return cur.execute(statement, values).df()
        finally:
            cur.close()

    times: dict[str, list[float]] = {"macro in the query": [], "the selection, once": [], "the query by ids": []}
    for _ in range(runs):
        start = time.perf_counter()
        as_is = run(text, bound)
        times["macro in the query"].append(time.perf_counter() - start)
        start = time.perf_counter()
        ids = list(run(SELECTION, {k: params[k] for k in FILTER}).iloc[0, 0])
        times["the selection, once"].append(time.perf_counter() - start)
        start = time.perf_counter()
        by_list = run(by_ids, {"ids": ids, "muni": params["muni"], "limit": params["limit"]})
        times["the query by ids"].append(time.perf_counter() - start)
    if as_is["indicator_id"].tolist() != by_list["indicator_id"].tolist():
        print("the two forms returned different rows", file=sys.stderr)
        return 1
    print(f"{Path(argv[0])}: search filter {params['q']!r}, {len(as_is)} rows, {runs} runs each, interleaved")
    for label, xs in times.items():
        xs.sort()
        print(f"  {label:20} p50 {statistics.median(xs) * 1000:5.1f} ms   p95 {xs[int(len(xs) * 0.95)] * 1000:5.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

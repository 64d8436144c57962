"""Two versions of the filter macros (evaldash/schema.sql) timed side by side on one store, interleaved.

    git show <rev>:evaldash/schema.sql > schema_before.sql
    python bench/compare_macros.py bench/out/run/x1000/store.duckdb schema_before.sql

Each named query that filters runs with the benchmark's 'typical' and 'search' filters (bench/run.py) on two
connections opened as the dashboard opens them (store.connect_readonly): one with the given macros put in place,
one with the current file. The calls alternate (A, B, B, A …), so a busy machine weighs on both alike, and each
pair's results must have the same rows. Prints p50 and p95 ms of both and the ratio of their p50. The store must
have what both versions read.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

QUERIES = ("changes", "flat", "export_indicators", "indicator_wide", "overview_counts", "indicator_options",
           "measure_list", "reflection_by_policy", "report_changes", "revisions")


def connect(db: Path, macros: str | None = None):
    """A connection as the dashboard opens it (store.connect_readonly), with other macros in place of its own."""
    from evaldash import store

    con = store.connect_readonly(db)
    if macros is not None:
        con.execute(macros.replace("CREATE MACRO ", "CREATE OR REPLACE MACRO "))
    return con


def compare(a, b, queries=QUERIES, runs: int = 30, variants=("typical", "search")) -> int:
    """Time each query with the given filters of bench/run.py ('all' is none) on connections a and b, alternating;
    print p50/p95.

    Returns 1 when the two return different rows for a query."""
    from run import filter_variants

    from evaldash import sql

    filters, extra = filter_variants(a)
    extra.pop("_info")
    print(f"{'query':20} {'filter':8} {'rows':>5} {'A p50':>8} {'p95':>6} {'B p50':>8} {'p95':>6} {'B/A':>5}")
    for name in queries:
        query = sql.load(name)
        text = sql.render(query)
        for variant in variants:
            params = {**sql.DEFAULTS, **extra, **filters[variant]}
            if variant == "search":
                params["min_abs_pct"] = 10.0
            bound = {k: params[k] for k in query.params}
            ca, cb = a.cursor(), b.cursor()
            rows = len(cb.execute(text, bound).df())
            if len(ca.execute(text, bound).df()) != rows:
                print(f"{name} [{variant}]: A and B return different rows", file=sys.stderr)
                return 1
            ta, tb = [], []
            for i in range(runs):
                # Alternate which goes first too: the second of a pair may find caches the first warmed.
                for cur, times in ((ca, ta), (cb, tb)) if i % 2 == 0 else ((cb, tb), (ca, ta)):
                    start = time.perf_counter()
                    cur.execute(text, bound).df()
                    times.append((time.perf_counter() - start) * 1000)
            ta.sort()
            tb.sort()
            p95 = round(0.95 * (runs - 1))
            print(f"{name:20} {variant:8} {rows:5} {statistics.median(ta):8.1f} {ta[p95]:6.1f} "
                  f"{statistics.median(tb):8.1f} {tb[p95]:6.1f} {statistics.median(tb) / statistics.median(ta):5.2f}")
    return 0


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    db, before = Path(argv[0]), Path(argv[1]).read_text(encoding="utf-8")
    print("A: the given macros, B: the current ones")
    return compare(connect(db, before), connect(db))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Two versions of the filter macros (evaldash/schema.sql) timed side by side on one store, interleaved.

    git show <rev>:evaldash/schema.sql > schema_before.sql
    python bench/compare_macros.py bench/out/run/x1000/store.duckdb schema_before.sql

Each named query that filters runs with the benchmark's 'typical' and 'search' filters (bench/run.py) on two
connections opened like the dashboard's (views on the attached store, 2 threads, 1 GB): one with the given macros,
one with the current file. The calls alternate (A, B, A, B …), so a busy machine weighs on both alike, and each
pair's results must have the same rows. Prints p50 and p95 ms of both. The store must have what both versions read.
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
           "measure_list", "reflection_by_policy")


def connect(db: Path, macros: str):
    import duckdb

    con = duckdb.connect(":memory:", config={"threads": "2", "memory_limit": "1GB"})
    con.execute("ATTACH $path AS store (READ_ONLY)", {"path": str(db)})
    for (table,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'store' AND schema_name = 'main'").fetchall():
        quoted = table.replace('"', '""')
        con.execute(f'CREATE VIEW main."{quoted}" AS SELECT * FROM store.main."{quoted}"')
    con.execute(macros)
    return con


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    from run import filter_variants

    from evaldash import sql, store

    db, before = Path(argv[0]), Path(argv[1]).read_text(encoding="utf-8")
    a, b = connect(db, before), connect(db, store.SCHEMA_SQL.read_text(encoding="utf-8"))
    variants, extra = filter_variants(a)
    extra.pop("_info")
    print(f"{'query':20} {'filter':8} {'rows':>5} {'before p50':>11} {'p95':>6} {'now p50':>8} {'p95':>6}")
    for name in QUERIES:
        query = sql.load(name)
        text = sql.render(query)
        for variant in ("typical", "search"):
            params = {**sql.DEFAULTS, **extra, **variants[variant]}
            if variant == "search":
                params["min_abs_pct"] = 10.0
            bound = {k: params[k] for k in query.params}
            ca, cb = a.cursor(), b.cursor()
            rows = len(cb.execute(text, bound).df())
            if len(ca.execute(text, bound).df()) != rows:
                print(f"{name} [{variant}]: the two versions return different rows", file=sys.stderr)
                return 1
            ta, tb = [], []
            for _ in range(30):
                for cur, times in ((ca, ta), (cb, tb)):
                    start = time.perf_counter()
                    cur.execute(text, bound).df()
                    times.append((time.perf_counter() - start) * 1000)
            ta.sort()
            tb.sort()
            print(f"{name:20} {variant:8} {rows:5} {statistics.median(ta):11.1f} {ta[28]:6.1f} "
                  f"{statistics.median(tb):8.1f} {tb[28]:6.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Two store files timed side by side, interleaved: the filtered named queries on each (bench/compare_macros.py).

    python bench/compare_stores.py --copy bench/out/run/national/store.duckdb rg122880.duckdb --row-group-size 122880
    python bench/compare_stores.py rg122880.duckdb bench/out/run/national/store.duckdb
    python bench/compare_stores.py rg122880.duckdb bench/out/run/national/store.duckdb --all 6   # no filter, 6 runs

--copy writes a copy of a store whose tables are in row groups of the given number of rows (DuckDB's default is
122,880; store.build writes store.ROW_GROUP_SIZE), in the same row order. Without it, the two stores' queries run
with the benchmark's 'typical' and 'search' filters, alternating, on connections opened as the dashboard opens them;
both must return the same rows; with --all N, with no filter instead, N runs each. Prints p50 and p95 ms of A and B
and the ratio of their p50.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def copy(src: Path, dst: Path, row_group_size: int) -> None:
    import duckdb

    dst.unlink(missing_ok=True)
    con = duckdb.connect()
    try:
        con.execute("ATTACH $path AS src (READ_ONLY)", {"path": str(src)})
        con.execute("ATTACH $path AS dst (ROW_GROUP_SIZE $rows)", {"path": str(dst), "rows": int(row_group_size)})
        con.execute("COPY FROM DATABASE src TO dst")
        con.execute("CHECKPOINT dst")
        groups = con.execute("SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('dst.main.flat_indicators')")
        print(f"{dst}: flat_indicators in {groups.fetchone()[0]} row groups")
    finally:
        con.close()


def main(argv: list[str]) -> int:
    if len(argv) == 5 and argv[0] == "--copy" and argv[3] == "--row-group-size":
        copy(Path(argv[1]), Path(argv[2]), int(argv[4]))
        return 0
    if len(argv) not in (2, 4) or (len(argv) == 4 and argv[2] != "--all"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    from compare_macros import compare, connect

    print(f"A: {argv[0]}  B: {argv[1]}")
    a, b = connect(Path(argv[0])), connect(Path(argv[1]))
    if len(argv) == 4:
        return compare(a, b, runs=int(argv[3]), variants=("all",))
    return compare(a, b)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

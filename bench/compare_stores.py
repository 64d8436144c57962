"""Two store files timed side by side, interleaved: the filtered named queries on each (bench/compare_macros.py).

    python bench/compare_stores.py --copy bench/out/run/national/store.duckdb rg122880.duckdb --row-group-size 122880
    python bench/compare_stores.py rg122880.duckdb bench/out/run/national/store.duckdb
    python bench/compare_stores.py rg122880.duckdb bench/out/run/national/store.duckdb --all 6   # no filter, 6 runs
    python bench/compare_stores.py --parquet bench/out/run/national/store.duckdb national_parquet
    python bench/compare_stores.py bench/out/run/national/store.duckdb national_parquet      # the store against Parquet

--copy writes a copy of a store whose tables are in row groups of the given number of rows (DuckDB's default is
122,880; store.build writes store.ROW_GROUP_SIZE), in the same row order. Without it, the two stores' queries run
with the benchmark's 'typical' and 'search' filters, alternating, on connections opened as the dashboard opens them;
both must return the same rows; with --all N, with no filter instead, N runs each. Prints p50 and p95 ms of A and B
and the ratio of their p50.

--parquet writes every table of a store as a Parquet file into a folder (in the store's row order, in row groups of
store.ROW_GROUP_SIZE rows). A folder given as A or B is opened as the dashboard opens a store, but with each table a
view over its Parquet file: the alternative to DuckDB's own file that issue 6 asks to measure.
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


def to_parquet(src: Path, folder: Path) -> None:
    import duckdb

    from evaldash import store

    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    try:
        con.execute("ATTACH $path AS src (READ_ONLY)", {"path": str(src)})
        tables = [t for (t,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'src' AND schema_name = 'main'").fetchall()]
        con.execute("USE src")
        for table in tables:  # the relation API takes the table as a name and the path as a value: no SQL text
            con.table(table).write_parquet(str(folder / f"{table}.parquet"), row_group_size=store.ROW_GROUP_SIZE)
        size = sum(p.stat().st_size for p in folder.glob("*.parquet")) / 1e6
        print(f"{folder}: {len(tables)} tables, {size:.1f} MB of Parquet")
    finally:
        con.close()


def connect_parquet(folder: Path):
    """An in-memory connection whose tables are views over the folder's Parquet files, with the filter macros."""
    import duckdb

    from evaldash import store

    con = duckdb.connect(":memory:", config={"threads": store.READONLY_CONFIG["threads"],
                                             "memory_limit": store.READONLY_CONFIG["memory_limit"]})
    for path in sorted(folder.glob("*.parquet")):
        con.read_parquet(str(path)).create_view(path.stem)  # seen by the connection's cursors too
    con.execute(store.SCHEMA_SQL.read_text(encoding="utf-8"))
    return con


def main(argv: list[str]) -> int:
    if len(argv) == 5 and argv[0] == "--copy" and argv[3] == "--row-group-size":
        copy(Path(argv[1]), Path(argv[2]), int(argv[4]))
        return 0
    if len(argv) == 3 and argv[0] == "--parquet":
        to_parquet(Path(argv[1]), Path(argv[2]))
        return 0
    if len(argv) not in (2, 4) or (len(argv) == 4 and argv[2] != "--all"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    from compare_macros import compare, connect

    print(f"A: {argv[0]}  B: {argv[1]}")
    a, b = (connect_parquet(Path(p)) if Path(p).is_dir() else connect(Path(p)) for p in argv[:2])
    if len(argv) == 4:
        return compare(a, b, runs=int(argv[3]), variants=("all",))
    return compare(a, b)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

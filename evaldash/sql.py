"""Named queries: one file per query in queries/, run with bound parameters only.

A query file may declare an allow-list of sort columns in a header comment,
`-- order: col_a, col_b`, and use `{order}` where the ORDER BY goes. That is
the only text ever put into SQL, and only from the file's own allow-list.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

QUERIES_DIR = Path(__file__).resolve().parent.parent / "queries"
_PARAM_RE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_ORDER_RE = re.compile(r"^--\s*order:\s*(.+)$", re.MULTILINE)
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")

# The shared sidebar filter, as bound parameters. Every query that filters
# takes these six names (see evaldash/schema.sql).
EMPTY_FILTER = {"muni": [], "pol": [], "dept": [], "sec": [], "refl": [], "q": ""}
# Optional parameters every query may take; None means "no limit", an empty list of indicators all of them.
DEFAULTS = {**EMPTY_FILTER, "limit": None, "indicators": []}
# Rows the dashboard asks of a query that takes $limit (データ's tables, CSV and Excel): everything is the command
# line's job (`python -m evaldash export`, on its own connection).
ROW_LIMIT = 20_000


class QueryError(Exception):
    pass


@dataclass(frozen=True)
class Query:
    name: str
    text: str
    params: frozenset[str]
    order_columns: tuple[str, ...]


def names() -> list[str]:
    return sorted(p.stem for p in QUERIES_DIR.glob("*.sql"))


@functools.cache
def load(name: str) -> Query:
    if not _NAME_RE.match(name):
        raise QueryError(f"not a query name: {name!r}")
    path = QUERIES_DIR / f"{name}.sql"
    if not path.is_file():
        raise QueryError(f"no query named {name!r} in queries/")
    text = path.read_text(encoding="utf-8")
    m = _ORDER_RE.search(text)
    order = tuple(c.strip() for c in m.group(1).split(",")) if m else ()
    return Query(name, text, frozenset(_PARAM_RE.findall(text)), order)


def render(query: Query, order: str | None, descending: bool) -> str:
    if "{order}" not in query.text:
        if order:
            raise QueryError(f"query {query.name!r} takes no sort column")
        return query.text
    column = order or query.order_columns[0]
    if column not in query.order_columns:
        raise QueryError(f"query {query.name!r} cannot sort by {column!r}: allowed {', '.join(query.order_columns)}")
    return query.text.replace("{order}", f'"{column}" {"DESC" if descending else "ASC"} NULLS LAST')


def run(
    con: duckdb.DuckDBPyConnection,
    name: str,
    params: dict | None = None,
    order: str | None = None,
    descending: bool = False,
) -> pd.DataFrame:
    """Run a named query on its own cursor; extra params are ignored, missing ones are an error."""
    query = load(name)
    given = {**DEFAULTS, **(params or {})}
    missing = query.params - given.keys()
    if missing:
        raise QueryError(f"query {name!r} needs parameters: {', '.join(sorted(missing))}")
    bound = {k: given[k] for k in query.params}
    with con.cursor() as cur:  # a connection is not thread-safe; a cursor per query is
        return cur.execute(render(query, order, descending), bound).df()

"""A filter change runs the queries that take the filter, and nothing the filter leaves alone (the store's metadata,
the sidebar's choices, a chosen measure's card): those stay in the shared cache. bench/pages_bench.py times this
as a page's "filter change"; here, for every page, that it runs what it says and draws as before.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from evaldash import sql
from evaldash.ui import PAGE_FILES
from tests.pages.conftest import texts

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from pages_bench import NO_MATCH, clear_results, set_keyword  # noqa: E402

# Queries a keyword cannot change: they take none of its parameters nor anything chosen from its results.
KEYWORD_FREE = {name for name in sql.names() if not sql.load(name).params & {"q", "ids", "policy_no", "names"}}


def drawn(at) -> tuple:
    return (texts(at), [len(d.value) for d in at.dataframe], len(at.get("plotly_chart")))


@pytest.mark.parametrize("page", sorted(PAGE_FILES))
def test_a_new_keyword_runs_only_the_queries_it_changes(open_page, queries_run, page):
    at = open_page(PAGE_FILES[page])
    at.run()
    before = drawn(at)
    clear_results()
    set_keyword(at, NO_MATCH)
    at.run()
    assert not at.exception and not at.error
    assert drawn(at) != before or page == "import"  # the keyword matched nothing: the page said so
    set_keyword(at, "")
    queries_run.clear()
    at.run()
    assert not at.exception and not at.error
    assert drawn(at) == before
    assert {"store_info", "municipalities", "policy_options", "reflection_options"} <= KEYWORD_FREE  # the set is real
    assert not set(queries_run) & KEYWORD_FREE, queries_run
    if page != "import":
        assert any("q" in sql.load(name).params for name in queries_run), queries_run

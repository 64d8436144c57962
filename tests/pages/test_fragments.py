"""A widget inside a fragment reruns only that fragment, as the server does: no query runs, nothing else is drawn.

AppTest always reruns the whole script; bench/pages_bench.fragment_rerun makes its next runs fragment-only, as a
browser's rerun request for a widget inside a fragment is. The benchmark times the same thing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


from evaldash.ui import PAGE_FILES

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from pages_bench import fragment_rerun, run_for_fragments  # noqa: E402


def test_a_chart_option_redraws_the_chart_and_the_url_without_a_query(open_page, queries_run):
    at = open_page(PAGE_FILES["trends"], q="原爆")
    [fragment] = run_for_fragments(at)
    assert "indicator_series" in queries_run  # the whole page's first run ran them
    at.segmented_control(key="tr_mode").set_value("index")
    queries_run.clear()
    with fragment_rerun([fragment]):
        at.run()
    assert not at.exception
    assert queries_run == []  # filter, indicators and their series are the full run's
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["layout"]["annotations"][0]["text"].startswith("指数（初年度=100）")
    assert at.query_params.get("mode") == ["index"] or at.query_params.get("mode") == "index"
    # Only the fragment was drawn again: the run sent no title, sidebar or list of changes.
    assert len(at.title) == 0 and len(at.sidebar) == 0 and len(at.markdown) == 0


def test_choosing_a_policy_reruns_only_its_detail(open_page, queries_run):
    at = open_page(PAGE_FILES["overview"])
    [fragment] = run_for_fragments(at)
    at.selectbox(key="overview_policy").set_value(4)
    queries_run.clear()
    with fragment_rerun([fragment]):
        at.run()
    assert not at.exception
    assert queries_run == ["policy_detail"]
    assert len(at.title) == 0 and len(at.get("plotly_chart")) == 0  # not the counts and the chart above
    assert "原爆" in "\n".join(m.value for m in at.markdown) or "平和" in "\n".join(m.value for m in at.markdown)


def test_picking_a_row_of_changes_reruns_only_the_table(open_page, queries_run):
    at = open_page(PAGE_FILES["changes"])
    [fragment] = run_for_fragments(at)
    assert "changes" in queries_run  # the whole page's run asks for them (as a shaped result)
    queries_run.clear()
    with fragment_rerun([fragment]):
        at.run()
    assert not at.exception
    assert queries_run == []
    assert at.dataframe[0].value["indicator"].iloc[0] == "女性のエンパワーメント講座"  # the table, drawn again
    assert len(at.dataframe) == 1 and len(at.get("plotly_chart")) == 0 and len(at.code) == 0  # and nothing else

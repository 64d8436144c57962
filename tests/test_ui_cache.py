"""The caches every session shares (evaldash.ui.data): results and shaped views (figures among them), shared per
store version, yet no page can change them for another."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from evaldash import charts, shaping, store, ui

logging.getLogger("streamlit").setLevel(logging.ERROR)  # "No runtime found": these run outside a server


@pytest.fixture
def served(tmp_path, monkeypatch):
    """A store as a session sees it: current_store() is what the sidebar puts in the session."""
    import shutil

    from tests.conftest import REPORTS

    reports = tmp_path / "reports"
    shutil.copytree(REPORTS, reports)
    db = tmp_path / "evaldash.duckdb"
    store.build(reports, db)
    monkeypatch.setenv("EVALDASH_REPORTS", str(reports))
    monkeypatch.setenv("EVALDASH_DB", str(db))
    ui.data.clear()
    yield db
    ui.data.clear()


def test_a_page_changing_its_result_leaves_the_shared_one_alone(served):
    first = ui.query("changes", {"min_abs_pct": 0.0})
    bank = first["indicator"] == "女性人材バンク登録者数"
    assert first.loc[bank, "latest_value"].tolist() == [68]
    first["latest_value"] = -1           # a page replacing a column
    first.loc[:, "indicator"] = "changed"  # and writing into one in place
    del first["summary"]
    again = ui.query("changes", {"min_abs_pct": 0.0})
    assert again.loc[again["indicator"] == "女性人材バンク登録者数", "latest_value"].tolist() == [68]
    assert "summary" in again and "changed" not in set(again["indicator"])


@pytest.fixture
def runs(monkeypatch) -> list[str]:
    """The names of the queries run on the store from now on."""
    from evaldash import sql

    calls = []
    real = sql.run
    monkeypatch.setattr(sql, "run", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    return calls


def test_the_same_query_is_run_once(served, runs):
    for _ in range(3):
        ui.query("reflection_by_policy", {"muni": [], "pol": [1]})
    ui.query("reflection_by_policy", {"muni": [], "pol": [2]})
    assert runs.count("reflection_by_policy") == 2


def test_a_result_is_run_again_for_a_new_store(served, runs):
    ui.query("municipalities")
    store.build(store.reports_dir(), served)  # the same reports, a new file: another store version
    ui.query("municipalities")
    assert runs.count("municipalities") == 2


def _series_ids():
    return tuple(ui.query("indicator_options", {})["indicator_id"].tolist()[:2])


def test_a_figure_is_a_shaped_view_built_once_per_series_and_options(served, monkeypatch):
    built = []
    real = charts.trend_figure

    def trend_figure(series, **options):
        built.append(options["kind"])
        return real(series, **options)

    monkeypatch.setattr(charts, "trend_figure", trend_figure)
    params = {"ids": _series_ids()}
    line = ui.shaped(shaping.trend_chart, "indicator_series", params, "absolute", "line", "wareki", ())
    assert ui.shaped(shaping.trend_chart, "indicator_series", dict(params), "absolute", "line", "wareki", ()) is line
    bar = ui.shaped(shaping.trend_chart, "indicator_series", params, "absolute", "bar", "wareki", ())
    assert built == ["line", "bar"]
    assert {t.type for t in line.data} >= {"scatter"} and "bar" in {t.type for t in bar.data}
    one = ui.shaped(shaping.trend_chart, "indicator_series", {"ids": params["ids"][:1]}, "absolute", "line",
                    "wareki", ())
    assert one is not line and len(built) == 3  # other data: another figure


def _count_rows(frame):
    _count_rows.calls += 1
    return len(frame)


def test_a_shaped_result_is_shaped_once_per_query_and_parameters(served):
    _count_rows.calls = 0
    assert ui.shaped(_count_rows, "policy_options", {"muni": []}) == len(ui.query("policy_options", {"muni": []}))
    ui.shaped(_count_rows, "policy_options", {"muni": []})
    assert _count_rows.calls == 1
    assert ui.shaped(_count_rows, "department_options", {"muni": [], "pol": [1]}) < \
        ui.shaped(_count_rows, "department_options", {"muni": [], "pol": []})
    assert _count_rows.calls == 3


def test_a_shaped_result_is_shaped_again_for_a_new_store(served):
    _count_rows.calls = 0
    ui.shaped(_count_rows, "municipalities")
    store.build(store.reports_dir(), served)  # the same reports, a new file: another store version
    ui.shaped(_count_rows, "municipalities")
    assert _count_rows.calls == 2


def test_only_named_functions_shape_results(served):
    with pytest.raises(ValueError, match="module-level"):
        ui.shaped(lambda frame: len(frame), "municipalities")


def _rows_and_flag(frame, flag):
    _rows_and_flag.calls += 1
    return (len(frame), flag)


def test_shaped_args_are_part_of_the_key_and_must_be_plain(served):
    _rows_and_flag.calls = 0
    assert ui.shaped(_rows_and_flag, "municipalities", None, True)[1] is True
    assert ui.shaped(_rows_and_flag, "municipalities", None, False)[1] is False
    ui.shaped(_rows_and_flag, "municipalities", None, True)
    assert _rows_and_flag.calls == 2
    with pytest.raises(ValueError, match="plain values"):
        ui.shaped(_rows_and_flag, "municipalities", None, pd.DataFrame())  # no repr that names its content


def test_a_shared_figure_s_table_is_made_once_per_category_and_goes_with_the_figure(monkeypatch):
    import plotly.graph_objects as go

    from evaldash.ui import text

    made = []
    real = text.figure_table
    monkeypatch.setattr(text, "figure_table", lambda figure, category: made.append(category) or real(figure, category))

    def figure(value):
        return go.Figure({"data": [{"type": "bar", "x": ["R1年度", "R2年度"], "y": [1, value], "name": "人数"}]})

    shared = figure(2)
    first = text._escaped_table(shared, "年度")
    assert first["人数"].tolist() == ["1", "2"]
    assert text._escaped_table(shared, "年度") is first and made == ["年度"]  # a rerun reads the kept table
    assert text._escaped_table(shared, "年")["年"].tolist() == ["R1年度", "R2年度"] and made == ["年度", "年"]
    assert text._escaped_table(figure(3), "年度")["人数"].tolist() == ["1", "3"]  # another figure, its own table

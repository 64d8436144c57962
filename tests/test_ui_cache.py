"""The result and chart caches every session shares (evaldash.ui): shared, yet no page can change them for another."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from evaldash import charts, store, ui

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
    ui._run.clear()
    ui._shaped.clear()
    ui._figure.clear()
    yield db
    ui._run.clear()
    ui._shaped.clear()
    ui._figure.clear()


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


def test_the_same_query_is_run_once(served, monkeypatch):
    from evaldash import sql

    calls = []
    real = sql.run
    monkeypatch.setattr(sql, "run", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    for _ in range(3):
        ui.query("reflection_by_policy", {"muni": [], "pol": [1]})
    ui.query("reflection_by_policy", {"muni": [], "pol": [2]})
    assert calls.count("reflection_by_policy") == 2


def test_a_chart_is_built_once_per_content_and_again_for_new_data(served, monkeypatch):
    built = []
    real = charts.reflection_by_policy

    def reflection_by_policy(frame):
        built.append(len(frame))
        return real(frame)

    monkeypatch.setattr(charts, "reflection_by_policy", reflection_by_policy)
    frame = ui.query("reflection_by_policy", {})
    one = ui.figure(charts.reflection_by_policy, frame)
    two = ui.figure(charts.reflection_by_policy, frame.copy(deep=True))  # equal content, another object
    assert ui.figure(charts.reflection_by_policy, frame.copy(deep=False)) is one
    assert one is two and built == [len(frame)]
    changed = frame.copy()
    changed.loc[changed.index[0], "measures"] += 1
    three = ui.figure(charts.reflection_by_policy, changed)
    assert three is not one and len(built) == 2
    total = lambda fig: sum(v for trace in fig.data for v in trace.x)  # bars are horizontal: counts on x
    assert total(three) == total(one) + 1


def test_chart_options_are_part_of_the_key(served):
    series = ui.query("indicator_series", {"ids": ui.query("indicator_options", {})["indicator_id"].tolist()[:2]})
    line = ui.figure(charts.trend_figure, series, mode="absolute", kind="line")
    bar = ui.figure(charts.trend_figure, series, mode="absolute", kind="bar")
    assert {t.type for t in line.data} >= {"scatter"} and "bar" in {t.type for t in bar.data}


def test_frame_digest_tells_frames_apart():
    a = pd.DataFrame({"x": [1, 2], "y": ["あ", "い"]})
    assert ui._frame_digest(a) == ui._frame_digest(a.copy()) == ui._frame_digest(a.copy(deep=False))
    assert ui._frame_digest(a) != ui._frame_digest(a.assign(y=["あ", "う"]))
    assert ui._frame_digest(a) != ui._frame_digest(a.set_axis([5, 6]))
    assert ui._frame_digest(a) != ui._frame_digest(a.rename(columns={"x": "z"}))
    assert ui._frame_digest(a) != ui._frame_digest(a.astype({"x": float}))


@pytest.mark.parametrize(
    "values, other",
    [
        (["あ", "い", None], ["あ", "い", ""]),  # a missing text is not an empty one
        (["ab", "c"], ["a", "bc"]),  # the same characters, cut elsewhere
        ([1.0, float("nan")], [1.0, 0.0]),
        (pd.array([1, None], dtype="Int64"), pd.array([1, 0], dtype="Int64")),
        ([("a", 1)], [("a", 2)]),  # Python objects
    ],
)
def test_frame_digest_tells_values_apart(values, other):
    a, b = pd.DataFrame({"v": values}), pd.DataFrame({"v": other})
    assert ui._frame_digest(a) == ui._frame_digest(pd.DataFrame({"v": values}))
    assert ui._frame_digest(a) != ui._frame_digest(b)


def test_frame_digest_of_a_slice_is_the_digest_of_its_rows():
    # A boolean selection (施策カード: one indicator's rows) keys like the same rows built afresh, and no other rows.
    frame = pd.DataFrame({"id": ["a", "b", "a", "c"], "value": [1.0, 2.0, 3.0, 4.0]}).astype({"id": "string"})
    picked = frame[frame["id"] == "a"]
    assert ui._frame_digest(picked) == ui._frame_digest(frame.iloc[[0, 2]])
    assert ui._frame_digest(picked) != ui._frame_digest(frame.iloc[[0, 3]])
    assert ui._frame_digest(picked.reset_index(drop=True)) != ui._frame_digest(picked)


def test_only_chart_builders_are_accepted(served):
    with pytest.raises(ValueError, match="evaldash.charts"):
        ui.figure(lambda frame: None, pd.DataFrame())


def test_figure_keys_options_and_frames_inside_options(served):
    series = ui.query("indicator_series", {"ids": ui.query("indicator_options", {})["indicator_id"].tolist()[:1]})
    with_target = ui.figure(charts.mini_trend, series, target=50.0)
    assert with_target is ui.figure(charts.mini_trend, series.copy(deep=True), target=50.0)
    assert with_target is not ui.figure(charts.mini_trend, series, target=60.0)
    targets = pd.DataFrame({"indicator_id": series["indicator_id"].iloc[:1], "target": [1.0]})
    one = ui.figure(charts.trend_figure, series, targets=targets)
    assert one is ui.figure(charts.trend_figure, series, targets=targets.copy(deep=True))
    assert one is not ui.figure(charts.trend_figure, series, targets=targets.assign(target=2.0))



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

"""Chart builders on frames shaped like the named queries' results."""

from __future__ import annotations

import pandas as pd

from evaldash import charts


def series(rows) -> pd.DataFrame:
    cols = ["municipality", "measure_id", "indicator_id", "indicator", "unit", "note", "policy_no", "fiscal_year",
            "fiscal_label", "value", "value_status"]
    return pd.DataFrame([dict(zip(cols, r)) for r in rows])


def lines(fig) -> dict[str, list]:
    return {t.name: list(t.y) for t in fig.data if t.type in ("scatter", "bar") and t.name != "値なし"}


def test_two_indicators_with_one_name_stay_two_lines():
    # 「参加者数」 in two measures, same unit: found by the page benchmark on generated reports (it raised
    # "cannot reindex on an axis with duplicate labels" when both were drawn together).
    frame = series([
        ("市", "1110101", "a", "参加者数", "人", None, 1, 2018, "H30年度", 10, "reported"),
        ("市", "1110101", "a", "参加者数", "人", None, 1, 2019, "R1年度", 12, "reported"),
        ("市", "1110202", "b", "参加者数", "人", None, 1, 2018, "H30年度", 200, "reported"),
        ("市", "1110202", "b", "参加者数", "人", None, 1, 2019, "R1年度", 150, "reported"),
    ])
    for kind in ("line", "bar"):
        fig = charts.trend_figure(frame, kind=kind)
        assert lines(fig) == {"参加者数・施策 1110101": [10, 12], "参加者数・施策 1110202": [200, 150]}


def test_the_same_name_twice_in_one_measure_is_told_apart_by_id():
    frame = series([
        ("市", "1110101", "a1", "件数", "件", None, 1, 2019, "R1年度", 1, "reported"),
        ("市", "1110101", "a2", "件数", "件", None, 1, 2019, "R1年度", 2, "reported"),
    ])
    assert lines(charts.trend_figure(frame)) == {"件数・a1": [1], "件数・a2": [2]}


def test_distinct_names_are_left_as_they_are():
    frame = series([
        ("市", "1110101", "a", "女性人材バンク登録者数", "人", None, 1, 2018, "H30年度", 47, "reported"),
        ("市", "1110101", "a", "女性人材バンク登録者数", "人", None, 1, 2019, "R1年度", 68, "reported"),
        ("市", "1110421", "b", "原爆パネル展来場者数", "人", None, 1, 2018, "H30年度", 350, "reported"),
        ("市", "1110421", "b", "原爆パネル展来場者数", "人", None, 1, 2019, "R1年度", 740, "reported"),
    ])
    assert lines(charts.trend_figure(frame)) == {"女性人材バンク登録者数": [47, 68], "原爆パネル展来場者数": [350, 740]}

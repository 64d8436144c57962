"""The filter's pure logic: which single choice emptied a view, option counts and where a search hit matched."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from evaldash import filters
from evaldash.sql import EMPTY_FILTER

MEASURES = [  # (運営方針, 反映区分, 部)
    (1, "A", "総務部"), (1, "B", "福祉部"), (3, "B", "総務部"),
]


def count(params: dict) -> int:
    """Rows a filter selects from MEASURES, as filter_count.sql counts the store."""
    return sum(1 for pol, refl, dept in MEASURES
               if (not params["pol"] or pol in params["pol"]) and (not params["refl"] or refl in params["refl"])
               and (not params["dept"] or dept in params["dept"]) and not params["q"])


def test_each_single_choice_is_a_removal_with_the_rest_of_the_filter():
    params = {**EMPTY_FILTER, "pol": [1, 3], "refl": ["C"], "q": "女性"}
    found = filters.removals(params, {1: "協働", 3: "平和"})
    assert [r.label for r in found] == ["運営方針: 01 協働", "運営方針: 03 平和", "反映区分: C", "キーワード検索: 女性"]
    assert found[0].params["pol"] == [3] and found[0].params["refl"] == ["C"]
    assert found[3].params["q"] == "" and found[3].params["pol"] == [1, 3]


def test_the_culprit_is_the_choice_whose_removal_gives_rows_back():
    params = {**EMPTY_FILTER, "pol": [3], "refl": ["A"]}
    assert count(params) == 0
    assert [r.label for r in filters.culprits(params, count)] == ["運営方針: 03", "反映区分: A"]
    params = {**EMPTY_FILTER, "pol": [3], "refl": ["C"]}  # 反映区分 C is nowhere: only its removal helps
    assert [(r.field, r.value) for r in filters.culprits(params, count)] == [("refl", "C")]


def test_no_culprit_when_two_choices_must_go():
    params = {**EMPTY_FILTER, "pol": [3], "refl": ["A"], "dept": ["福祉部"]}
    assert filters.culprits(params, count) == []


def test_removals_are_capped():
    params = {**EMPTY_FILTER, "sec": [f"課{k}" for k in range(40)]}
    assert len(filters.removals(params)) == filters.MAX_REMOVALS


def test_facet_counts_and_labels_with_counts():
    rows = pd.DataFrame({"facet": ["pol", "pol", "refl"], "value": ["3", "4", "B"], "measures": [12, 0, 5]})
    counts = filters.facet_counts(rows)
    assert counts == {"pol": {"3": 12, "4": 0}, "refl": {"B": 5}}
    assert filters.with_count("03 地域活動の促進", counts["pol"], 3) == "03 地域活動の促進（12）"
    assert filters.with_count("A：趣旨に沿って措置したもの", counts["refl"], "A") == "A：趣旨に沿って措置したもの（0）"


def test_match_places_names_where_a_hit_matched():
    hit = SimpleNamespace(in_indicator=True, indicator="女性人材バンク登録者数", in_purpose=True, in_actions=False)
    assert filters.match_places(hit) == "指標名「女性人材バンク登録者数」・目的"
    hit = SimpleNamespace(in_indicator=False, indicator=None, in_purpose=False, in_actions=True)
    assert filters.match_places(hit) == "具体的な取組"
    hit = SimpleNamespace(in_indicator=False, indicator=None, in_purpose=False, in_actions=False)
    assert filters.match_places(hit) == "施策名・担当など"

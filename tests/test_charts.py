"""Chart builders on frames shaped like the named queries' results."""

from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go
import pytest

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


def test_a_panel_of_several_cities_counts_its_lines_as_well_as_its_indicators():
    frame = series([
        (city, "1110101", f"{city}-{k}", name, "人", None, 1, 2019, "R1年度", 10 * k, "reported")
        for city in ("甲市", "乙市") for k, name in enumerate(["参加者数", "登録者数", "来場者数"], start=1)
    ])
    fig = charts.trend_figure(frame)
    assert len(lines(fig)) == 6 and "参加者数（甲市）" in lines(fig)
    assert [a.text for a in fig.layout.annotations if a.yref == "paper"] == ["単位: 人　（3指標）　6系列"]


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


# --- the specs the builders assemble pass plotly's own validation -----------------------------------
# The builders hand plotly finished dicts without validating them (it was most of their cost); these tests
# validate every kind of spec they make, so a misspelt property or a wrong value type fails here.

def validated(fig) -> go.Figure:
    spec = fig.to_dict()
    return go.Figure(spec)  # raises ValueError on any property plotly does not know or accept


def test_validation_is_what_catches_a_wrong_property():
    spec = charts.trend_figure(GAPPY).to_dict()
    spec["data"][0]["lien"] = {"color": "red"}
    with pytest.raises(ValueError, match="lien"):
        go.Figure(spec)


GAPPY = series([
    ("市", "1110101", "a", "女性人材バンク登録者数", "人", None, 1, 2018, "H30年度", 47, "reported"),
    ("市", "1110101", "a", "女性人材バンク登録者数", "人", None, 1, 2019, "R1年度", 68, "reported"),
    ("市", "1110101", "a", "女性人材バンク登録者数", "人", "※中止", 1, 2020, "R2年度", None, "no_value"),
    ("市", "1110421", "b", "原爆パネル展来場者数", "人", None, 1, 2018, "H30年度", 350, "reported"),
    ("市", "1110421", "b", "原爆パネル展来場者数", "人", None, 1, 2019, "R1年度", 740, "reported"),
    ("市", "1110422", "c", "出前講座", "回", None, 1, 2019, "R1年度", 3, "reported"),
    ("市", "1110422", "c", "出前講座", "回", None, 1, 2020, "R2年度", None, "not_reported"),
])
TARGETS = pd.DataFrame({"indicator_id": ["a", "c"], "target": [100.0, 5.0], "unit": ["人", "回"]})


@pytest.mark.parametrize("mode", list(charts.MODES))
@pytest.mark.parametrize("kind", ["line", "bar"])
@pytest.mark.parametrize("era", ["wareki", "seireki"])
def test_trend_specs_are_valid_plotly(mode, kind, era):
    fig = validated(charts.trend_figure(GAPPY, mode=mode, kind=kind, era=era, targets=TARGETS, title="推移"))
    panel_titles = [a for a in fig.layout.annotations if a.yref == "paper" and a.name is None]
    assert len(panel_titles) == (2 if mode == "absolute" else 1)  # a panel a unit; one scale for index and %
    for key, axis in fig.layout.to_plotly_json().items():
        if key.startswith("yaxis") and axis.get("visible") is not False and "range" in axis:
            starts_at_zero = axis["range"][0] <= 0 <= axis["range"][1]
            # Bars, values and rates start at zero; only an index drawn as lines may not, and then it says so.
            assert starts_at_zero or (mode == "index" and kind == "line")
            if not starts_at_zero:
                assert "※縦軸は0から始まっていません" in [a.text for a in fig.layout.annotations]


def test_trend_figure_draws_gaps_targets_and_one_panel_a_unit():
    fig = validated(charts.trend_figure(GAPPY, targets=TARGETS))
    assert lines(fig) == {"女性人材バンク登録者数": [47, 68, None], "原爆パネル展来場者数": [350, 740, None],
                          "出前講座": [None, 3, None]}
    titles = [a.text for a in fig.layout.annotations if a.yref == "paper"]
    assert titles == ["単位: 人　女性人材バンク登録者数、原爆パネル展来場者数", "単位: 回　出前講座"]
    gaps = [t for t in fig.data if t.name == "値なし"]
    assert [(list(t.x), t.yaxis) for t in gaps] == [(["R2年度"], "y2"), (["R2年度"], "y4")]
    assert "※中止" in gaps[0].hovertext[0] and "値なし（報告書に「-」）" in gaps[0].hovertext[0]
    assert "未報告" in gaps[1].hovertext[0]
    assert [t.showlegend for t in gaps] == [True, False]  # 値なし once in the legend
    assert gaps[0].legendrank > max(t.legendrank or 1000 for t in fig.data if t.name != "値なし")  # and last
    assert [(s.y0, s.yref) for s in fig.layout.shapes] == [(100.0, "y"), (5.0, "y3")]
    assert {a.text for a in fig.layout.annotations if a.yref != "paper"} == {"目標 100人", "目標 5回"}
    # Room above the highest point or target for its label, and the gap axis hidden.
    assert fig.layout.yaxis.range[1] > 740 and fig.layout.yaxis3.range[1] > 5
    assert fig.layout.yaxis2.visible is False and fig.layout.yaxis2.overlaying == "y"
    # The panels stack top to bottom without overlapping.
    top, bottom = fig.layout.yaxis.domain, fig.layout.yaxis3.domain
    assert top[1] == 1.0 and bottom[0] == 0.0 and bottom[1] < top[0]


def test_trend_figure_modes_transform_the_values():
    two = GAPPY[GAPPY["indicator_id"] == "b"]
    assert lines(charts.trend_figure(two, mode="index")) == {"原爆パネル展来場者数": [100.0, pytest.approx(740 / 3.5)]}
    assert lines(charts.trend_figure(two, mode="pct_change")) == {
        "原爆パネル展来場者数": [None, pytest.approx((740 - 350) / 350 * 100)]}


def test_several_cities_name_their_lines():
    other = GAPPY.assign(municipality="大船渡市", indicator_id=GAPPY["indicator_id"] + "2")
    fig = validated(charts.trend_figure(pd.concat([GAPPY, other])))
    assert "女性人材バンク登録者数（大船渡市）" in lines(fig) and "女性人材バンク登録者数（市）" in lines(fig)


def test_slide_and_mini_charts_are_valid_and_keep_only_what_they_show():
    one = GAPPY[GAPPY["indicator_id"] == "a"]
    slide = validated(charts.slide_figure(one, targets=TARGETS))
    assert slide.layout.showlegend is False and slide.layout.font.size == 20
    assert [a.text for a in slide.layout.annotations] == ["目標 100人"]
    assert slide.data[0].textfont.size == 24
    titled = validated(charts.slide_figure(one, title=("女性人材バンク<b>", "実数（単位: 人）"), source="出典: 市"))
    assert titled.layout.title.text == "<b>女性人材バンク&lt;b&gt;</b>　実数（単位: 人）"  # report text as written
    assert [a.text for a in titled.layout.annotations if a.name == "source"] == ["出典: 市"]
    mini = validated(charts.mini_trend(one, target=80.0))
    assert mini.layout.height == 240 and [a.text for a in mini.layout.annotations] == ["目標 80"]
    assert [s.y0 for s in mini.layout.shapes] == [80.0]
    assert validated(charts.mini_trend(one)).layout.annotations == ()


def changes_frame(rows) -> pd.DataFrame:
    cols = ["municipality", "measure_id", "indicator_id", "indicator", "unit", "prev_label", "prev_value",
            "latest_label", "latest_value", "delta_pct", "assessment"]
    return pd.DataFrame([dict(zip(cols, r)) for r in rows])


def test_change_bars_rank_colour_and_keep_rows_of_one_name_apart():
    frame = changes_frame([
        ("市", "1110321", "a", "女性人材バンク登録者数", "人", "H30年度", 47, "R1年度", 68, 44.68, "good"),
        ("市", "1110101", "b", "参加者数", "人", "H30年度", 10, "R1年度", 8, -20.0, "bad"),
        ("市", "1110202", "c", "参加者数", "人", "H30年度", 5, "R1年度", 5, 0.0, "neutral"),
        ("市", "1110203", "d", "値なし", "人", "H30年度", None, "R1年度", 5, None, "neutral"),
    ])
    fig = validated(charts.change_bars(frame))
    assert list(fig.layout.yaxis.categoryarray) == ["参加者数・施策 1110101", "参加者数・施策 1110202",
                                                    "女性人材バンク登録者数"]  # ranked by Δ%, one bar a row
    assert {t.name: list(t.x) for t in fig.data} == {"改善": [44.68], "悪化": [-20.0], "方向の設定なし": [0.0]}
    assert fig.data[0].marker.color == charts.ASSESSMENT_COLORS["good"]
    assert "47人 → R1年度 68人" in fig.data[0].customdata[0][0]
    lo, hi = fig.layout.xaxis.range
    assert lo < -20 and hi > 44.68  # room for the labels outside the bars


def test_reflection_bars_put_the_first_policy_on_top():
    frame = pd.DataFrame({
        "municipality": "市", "policy_no": [2, 1, 1], "policy_name": ["市民自治", "地域活動", "地域活動"],
        "reflection": ["A", "A", "B"], "reflection_label": ["趣旨に沿って措置したもの", "趣旨に沿って措置したもの",
                                                            "実現に向けて努力しているもの"],
        "measures": [5, 3, 2],
    })
    fig = validated(charts.reflection_by_policy(frame))
    assert list(fig.layout.yaxis.categoryarray) == ["01 地域活動", "02 市民自治"]
    assert fig.layout.yaxis.autorange == "reversed"  # the first category at the top, as the list reads
    assert [(t.name, list(t.y), list(t.x)) for t in fig.data] == [
        ("A 趣旨に沿って措置したもの", ["02 市民自治", "01 地域活動"], [5, 3]),
        ("B 実現に向けて努力しているもの", ["01 地域活動"], [2]),
    ]
    assert [t.marker.color for t in fig.data] == [charts.REFLECTION_COLORS["A"], charts.REFLECTION_COLORS["B"]]


def test_reflection_bars_name_measures_without_a_reflection():
    # A template may leave 反映区分 empty: the store gives NaN, which is neither sorted beside letters nor shown as "nan".
    frame = pd.DataFrame({
        "municipality": "市", "policy_no": [1, 1], "policy_name": ["地域活動"] * 2,
        "reflection": ["A", float("nan")], "reflection_label": ["趣旨に沿って措置したもの", float("nan")],
        "measures": [3, 2],
    })
    fig = validated(charts.reflection_by_policy(frame))
    assert [(t.name, list(t.x)) for t in fig.data] == [("A 趣旨に沿って措置したもの", [3]), (charts.NO_REFLECTION, [2])]
    assert fig.data[1].marker.color == charts.OTHER_COLOR


def test_reflection_bars_of_several_cities_are_each_citys_own():
    # Two cities number and name their own 運営方針; the same name in both is two bars, not one stacked of both.
    frame = pd.DataFrame({
        "municipality": ["乙市", "甲市", "甲市"], "policy_no": [1, 1, 2], "policy_name": ["健康", "健康", "平和"],
        "reflection": ["A", "A", "B"], "reflection_label": ["趣旨に沿って措置したもの"] * 2 + ["実現に向けて努力しているもの"],
        "measures": [1, 2, 4],
    })
    fig = validated(charts.reflection_by_policy(frame, with_city=True))
    assert list(fig.layout.yaxis.categoryarray) == ["乙市 01 健康", "甲市 01 健康", "甲市 02 平和"]
    assert [(list(t.y), list(t.x)) for t in fig.data] == [(["乙市 01 健康", "甲市 01 健康"], [1, 2]), (["甲市 02 平和"], [4])]
    one_city_of_several = validated(charts.reflection_by_policy(frame.iloc[1:], with_city=True))
    assert list(one_city_of_several.layout.yaxis.categoryarray) == ["甲市 01 健康", "甲市 02 平和"]


def test_report_text_is_escaped_in_every_label():
    hostile = GAPPY.assign(indicator="<b>太字</b>&", unit="<i>")
    fig = charts.trend_figure(hostile)
    text = json.dumps(fig.to_dict(), ensure_ascii=False)
    assert "<b>太字" not in text and "&lt;b&gt;太字&lt;/b&gt;&amp;" in text and "<i>" not in text


def test_every_chart_toolbar_speaks_japanese():
    config = charts.image_config("施策評価_推移", "svg")
    assert config["locale"] == "ja" and config["locales"]["ja"]["dictionary"]["Download plot as a PNG"].startswith("グラフ")
    assert config["toImageButtonOptions"] == {"format": "svg", "filename": "施策評価_推移", "scale": 2}


@pytest.mark.parametrize("mode", ["index", "pct_change"])
def test_bars_of_an_index_or_a_rate_start_at_zero(mode):
    fig = validated(charts.trend_figure(GAPPY[GAPPY["indicator_id"] == "b"], mode=mode, kind="bar"))
    lo, hi = fig.layout.yaxis.range
    assert lo <= 0 < hi
    assert "※縦軸は0から始まっていません" not in [a.text for a in fig.layout.annotations]


def test_an_index_drawn_as_lines_says_its_axis_does_not_start_at_zero():
    fig = validated(charts.trend_figure(GAPPY[GAPPY["indicator_id"] == "b"], mode="index", kind="line"))
    assert fig.layout.yaxis.range[0] > 0
    assert "※縦軸は0から始まっていません" in [a.text for a in fig.layout.annotations]


def test_rates_on_the_trend_chart_are_signed():
    fig = charts.trend_figure(GAPPY[GAPPY["indicator_id"] == "b"], mode="pct_change", show_labels=True)
    assert list(fig.data[0].text) == ["", "+111.4%"]
    assert charts.MODES["pct_change"].startswith("増減率")


def test_one_huge_rate_is_clipped_and_labelled_with_its_true_value():
    frame = changes_frame([
        ("市", "1", "a", "来場者数", "人", "H30年度", 50, "R1年度", 380, 660.0, "neutral"),
        ("市", "2", "b", "参加者数", "人", "H30年度", 10, "R1年度", 12, 20.0, "good"),
        ("市", "3", "c", "相談件数", "件", "H30年度", 10, "R1年度", 9, -10.0, "bad"),
    ])
    assert charts.clip_limit([660.0, 20.0, -10.0]) == 30.0
    fig = validated(charts.change_bars(frame))
    bars = {y: (x, text) for t in fig.data for x, y, text in zip(t.x, t.y, t.text)}
    assert bars["来場者数"] == (30.0, "+660.0% ≫")  # drawn to the axis end, labelled with what it is
    assert bars["参加者数"] == (20.0, "+20.0%") and bars["相談件数"] == (-10.0, "−10.0%")
    assert fig.layout.xaxis.range[1] < 100  # the others stay readable
    assert "軸の端で切っています" in fig.layout.xaxis.title.text


def test_rates_of_similar_size_are_not_clipped():
    assert charts.clip_limit([44.7, -20.0, 0.0]) is None and charts.clip_limit([660.0]) is None


def test_a_saved_chart_carries_its_title_and_source():
    frame = changes_frame([("市", "1", "a", "来場者数", "人", "H30年度", 50, "R1年度", 60, 20.0, "neutral")])
    fig = validated(charts.change_bars(frame, title="増減率の順位（H30年度→R1年度）", source="出典: 市 施策評価表 R1年度"))
    assert fig.layout.title.text == "増減率の順位（H30年度→R1年度）"
    assert "出典: 市 施策評価表 R1年度" in [a.text for a in fig.layout.annotations]
    trend = validated(charts.trend_figure(GAPPY, title="推移（H30年度〜R2年度）", source="出典: 市 施策評価表 R2年度"))
    assert trend.layout.title.text == "推移（H30年度〜R2年度）"
    assert "出典: 市 施策評価表 R2年度" in [a.text for a in trend.layout.annotations]


# --- a chart laid out for a narrow screen (a phone, a small window beside the sidebar) ---------------------------

def lines_of(text: str) -> list[str]:
    return text.split("<br>")


@pytest.mark.parametrize("ems", [5, 10, 17.5])
def test_wrapped_text_keeps_every_character_and_no_line_is_too_wide(ems):
    for raw in ["町内会とのブロック別意見交換会ほか7指標（実数、H30年度〜R1年度）", "出典: 苫小牧市 施策評価表 R1年度",
                "<b>太字</b>&<i>のある指標の名前がとても長い場合</i>"]:
        safe = charts.safe_text(raw)
        wrapped = charts.wrap_text(safe, ems)
        assert wrapped.replace("<br>", "") == safe  # the same characters, still escaped
        assert len(lines_of(wrapped)) > 1 or charts.text_ems(safe) <= ems
        for line in lines_of(wrapped):
            assert charts.text_ems(line) <= ems, line
            assert not line.endswith("&") and "&" not in line.rsplit(";", 1)[-1], line  # no &amp; cut in two


def test_a_wrapped_line_does_not_start_with_a_closing_mark():
    wrapped = charts.wrap_text("一二三四五、六七八九", 5)  # 、 would start the second line
    assert all(not line.startswith("、") for line in lines_of(wrapped)), wrapped


LONG = "ほかの人の意見を聞く会議に参加した市民の数"


def test_a_narrow_ranking_wraps_its_names_and_keeps_its_labels_inside():
    frame = changes_frame([
        ("市", "1", "a", LONG, "人", "H30年度", 50, "R1年度", 380, 660.0, "neutral"),
        ("市", "2", "b", "参加者数", "人", "H30年度", 10, "R1年度", 12, 20.0, "good"),
        ("市", "3", "c", "相談件数", "件", "H30年度", 10, "R1年度", 9, -10.0, "bad"),
    ])
    wide = charts.change_bars(frame, title="増減率の順位（H30年度→R1年度）", source="出典: 苫小牧市 施策評価表 R1年度")
    before = wide.to_dict()
    fig = validated(charts.for_narrow(wide))
    assert wide.to_dict() == before  # the wide figure (shared by every session) is left as it was
    axis = fig.layout.yaxis
    assert list(axis.tickvals) == list(axis.categoryarray)  # the bars still sit on their own names
    assert [t.replace("<br>", "") for t in axis.ticktext] == list(axis.categoryarray)
    assert any("<br>" in t for t in axis.ticktext)
    assert all(charts.text_ems(line) <= charts.NARROW_TICK_EMS for t in axis.ticktext for line in lines_of(t))
    lo, hi = fig.layout.xaxis.range
    assert lo < wide.layout.xaxis.range[0] and hi > wide.layout.xaxis.range[1]  # room for the labels outside
    assert "<br>※" in fig.layout.xaxis.title.text  # the note on its own line
    assert fig.layout.height > wide.layout.height
    source = next(a for a in fig.layout.annotations if a.name == "source")
    assert source.text.replace("<br>", "") == "出典: 苫小牧市 施策評価表 R1年度" and "<br>" in source.text


def test_a_narrow_trend_wraps_its_title_and_keeps_the_legend_under_it():
    title = "女性人材バンク登録者数、原爆パネル展来場者数ほか1指標（実数、H30年度〜R2年度）"
    wide = charts.trend_figure(GAPPY, title=title, source="出典: 苫小牧市 施策評価表 R2年度")
    fig = validated(charts.for_narrow(wide))
    size = 14 * 1.2  # the title's type
    assert fig.layout.title.text.replace("<br>", "") == title
    assert all(charts.text_ems(line) * size <= charts.NARROW_CHART_PX for line in lines_of(fig.layout.title.text))
    extra = fig.layout.height - wide.layout.height
    assert extra > 0
    # The legend's top stays as far under the title's last line as it was under its only line.
    below_title = (1 - fig.layout.legend.y) * fig.layout.height
    assert below_title > (1 - wide.layout.legend.y) * wide.layout.height
    assert fig.layout.margin.t > wide.layout.margin.t

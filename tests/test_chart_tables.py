"""A chart's numbers as a table a screen reader reaches (issue 17 §3): read from the figure the page draws."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from evaldash import charts
from evaldash.chart_tables import ABSENT, KIND_HEADER, NO_VALUE, figure_table

from .test_charts import GAPPY, TARGETS, changes_frame


def test_trend_table_has_a_row_a_year_and_a_column_an_indicator_with_gaps_said():
    table = figure_table(charts.trend_figure(GAPPY, targets=TARGETS), "年度")
    assert list(table.columns) == ["年度", "女性人材バンク登録者数", "原爆パネル展来場者数", "出前講座"]
    assert table["年度"].tolist() == ["H30年度", "R1年度", "R2年度"]
    assert table["女性人材バンク登録者数"].tolist() == ["47人", "68人", NO_VALUE]  # the 値なし cross is no value
    assert table["出前講座"].tolist()[1] == "3回"


def test_computed_values_without_labels_are_rounded_for_reading():
    two = GAPPY[GAPPY["indicator_id"] == "b"]
    fig = charts.trend_figure(two, mode="index")
    for trace in fig.data:
        trace.text = None  # as when the chart has too many lines for labels
    assert figure_table(fig, "年度")["原爆パネル展来場者数"].tolist() == ["100.00", "211.43"]  # one number of decimals a column


def test_ranking_reads_from_the_top_bar_down_with_its_kind():
    frame = changes_frame([
        ("市", "1110321", "a", "女性人材バンク登録者数", "人", "H30年度", 47, "R1年度", 68, 44.68, "good"),
        ("市", "1110101", "b", "参加者数", "人", "H30年度", 10, "R1年度", 8, -20.0, "bad"),
    ])
    fig = charts.change_bars(frame)
    table = figure_table(fig, "指標")
    assert list(table.columns) == ["指標", fig.layout.xaxis.title.text, KIND_HEADER]
    assert table["指標"].tolist() == ["女性人材バンク登録者数", "参加者数"]  # the largest change first, as drawn
    assert table[KIND_HEADER].tolist() == [charts.ASSESSMENT_LABELS["good"], charts.ASSESSMENT_LABELS["bad"]]
    assert table.iloc[0, 1] == fig.data[0].text[0]  # the chart's own label, sign and unit as drawn


def test_stacked_bars_keep_the_policy_order_and_say_where_a_kind_is_absent():
    frame = pd.DataFrame({
        "municipality": "市", "policy_no": [2, 1, 1], "policy_name": ["市民自治", "地域活動", "地域活動"],
        "reflection": ["A", "A", "B"], "reflection_label": ["趣旨に沿って措置したもの", "趣旨に沿って措置したもの",
                                                            "実現に向けて努力しているもの"],
        "measures": [5, 3, 2],
    })
    table = figure_table(charts.reflection_by_policy(frame), "運営方針")
    assert table["運営方針"].tolist() == ["01 地域活動", "02 市民自治"]
    assert table["B 実現に向けて努力しているもの"].tolist() == ["2", ABSENT]


def test_report_text_is_plain_text_in_the_table():
    odd = GAPPY.assign(indicator=GAPPY["indicator"].str.replace("女性", "<b>女性</b>&"))
    table = figure_table(charts.trend_figure(odd), "年度")
    assert "<b>女性</b>&人材バンク登録者数" in table.columns


def test_a_figure_without_values_gives_an_empty_table():
    assert figure_table(go.Figure(), "年度").empty

"""発表モード's logic: an indicator without values is a slide that says so, with the report's ※ note."""

from __future__ import annotations

from evaldash.ui import PAGE_FILES

from .conftest import texts


def test_an_indicator_without_values_is_a_slide_that_says_so(open_page):
    at = open_page(PAGE_FILES["trends"], pol="3", present="1")
    assert at.title[0].value.replace("\\", "") == "「苫小牧市男女平等参画都市宣言」を見聞きしたことがある市民の割合"
    body = texts(at).replace("\\", "")
    assert "この指標には表示できる値がありません" in body
    assert "※令和3年度調査予定(平成27年度 40%)" in body
    assert not at.get("plotly_chart"), "no empty chart"
    assert "**1 / 7**" in [m.value for m in at.markdown]


def test_an_indicator_with_values_is_a_chart(open_page):
    at = open_page(PAGE_FILES["trends"], pol="3", present="1", slide="4")
    assert at.title[0].value == "女性人材バンク登録者数"
    assert len(at.get("plotly_chart")) == 1
    assert "この指標には表示できる値がありません" not in texts(at)

"""Accessibility the page logic decides (issue 17 §3): headings without skipped levels, and every chart's numbers
in a real table under it."""

from __future__ import annotations

import pytest

from evaldash.ui import PAGE_FILES

CHART_PAGES = {"overview": {}, "trends": {}, "changes": {}, "card": {"measure": "1110321"}}


@pytest.mark.parametrize("page", ["overview", "trends", "changes", "card", "data", "import"])
def test_sections_are_h2_under_the_pages_h1(open_page, page):
    at = open_page(PAGE_FILES[page])
    assert len(at.main.title) == 1
    assert list(at.main.subheader) == [], "a section heading straight under the title is an h2 (st.header)"
    sections = [m.value for m in at.main.markdown if m.value.lstrip().startswith("###")]
    assert sections == [], sections


@pytest.mark.parametrize("page", list(CHART_PAGES))
def test_every_chart_has_its_numbers_in_a_table_under_it(open_page, page):
    at = open_page(PAGE_FILES[page], **CHART_PAGES[page])
    expanders = [e for e in at.main.expander if e.label == "グラフの数値（表）"]
    charts = at.main.get("plotly_chart")
    assert charts and len(expanders) == len(charts)
    for box in expanders:
        (table,) = box.table
        assert len(table.value) > 0 and len(table.value.columns) >= 2


def test_the_slides_chart_has_its_numbers_in_the_toolbar(open_page):
    # On a slide the chart needs the room: its table is behind a button of the slide's toolbar, not under it.
    at = open_page(PAGE_FILES["trends"], pol="3", present="1", slide="4")
    (box,) = [p for p in at.main.get("popover") if p.proto.popover.label == "グラフの数値（表）"]
    (table,) = box.table
    assert table.value.to_dict("list") == {"年度": ["H30年度", "R1年度"], "女性人材バンク登録者数": ["47人", "68人"]}

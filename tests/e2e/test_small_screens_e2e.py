"""The real server in Chromium on small screens: a narrow window (800 px, the sidebar open beside the page) and a
phone (375 px). Nothing in the main block is cut short or pushed past its edge, and the key text of 概要, 推移 and
変化 is on screen.

Screenshots land in artifacts/screenshots/ (small_<page>_<width>.png and ..._full.png).
"""

from __future__ import annotations

import contextlib

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from . import server
from .conftest import assert_no_error, open_app, screenshot

pytestmark = pytest.mark.browser

WIDTHS = {"narrow": (800, 900), "phone": (375, 812)}

# Every element of the main block that is cut short (its content wider than its box, and the box clips it: an
# ellipsis, a hidden or a scrolled overflow) or that reaches past the block's right edge. A table (st.dataframe)
# scrolls sideways inside its own frame by design and a chart draws inside its own box, so neither's insides count.
CLIPPED_JS = """
() => {
  const block = document.querySelector('[data-testid=stMainBlockContainer]');
  const edge = block.getBoundingClientRect().right + 1;
  const out = [];
  for (const e of block.querySelectorAll('*')) {
    if (e.closest('[data-testid=stDataFrame] *, [data-testid=stPlotlyChart] *')) continue;
    const box = e.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const where = `${e.closest('[data-testid]')?.dataset.testid} ${e.tagName} "${(e.innerText || '').slice(0, 30)}"`;
    if (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible')
      out.push(`cut short: ${where} (${e.scrollWidth} > ${e.clientWidth})`);
    if (box.right > edge) out.push(`past the edge: ${where} (${Math.round(box.right)} > ${Math.round(edge)})`);
  }
  return [...new Set(out)];
}
"""

# Per page: its title and texts a reader must be able to read there (a metric's label, a change's sentence).
PAGES = {
    "/?pol=3": ("overview", "概要", ["運営方針", "評価指標", "反映区分 A", "比較できる値なし"]),
    "/trends?q=女性人材バンク": ("trends", "推移", ["女性人材バンク登録者数は"]),
    "/changes?pol=4": ("changes", "変化", ["原爆パネル展来場者数は"]),
}


def on_screen_width(page, text: str) -> bool:
    """The text's element is shown, and from its left to its right edge inside the window."""
    found = page.locator("[data-testid=stMain]").get_by_text(text, exact=False).first
    found.scroll_into_view_if_needed()
    if not found.is_visible():
        return False
    box = found.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"] + 1


@contextlib.contextmanager
def opened_at(context, url: str, size: str):
    """A new page of `size` (a key of WIDTHS) showing `url`, closed afterwards."""
    width, height = WIDTHS[size]
    page = context.new_page()
    try:
        page.set_viewport_size({"width": width, "height": height})
        open_app(page, url)
        yield page
    finally:
        page.close()


@pytest.mark.parametrize("size", list(WIDTHS))
@pytest.mark.parametrize("path", list(PAGES))
def test_nothing_is_cut_short_and_the_key_text_reads(context, app_url, path, size):
    slug, title, texts = PAGES[path]
    with opened_at(context, app_url + path, size) as page:
        where = f"{path} at {WIDTHS[size][0]} px"
        assert_no_error(page, where)
        assert page.locator("h1").first.inner_text().strip() == title, where
        assert server.horizontal_overflow(page) == [], where
        assert page.evaluate(CLIPPED_JS) == [], where
        for text in texts:
            assert on_screen_width(page, text), f"「{text}」 is not readable on {where}"
        screenshot(page, f"small_{slug}_{WIDTHS[size][0]}")


# The column heads of the first table (its accessibility cells: the grid keeps only the columns it draws there).
TABLE_HEADS_JS = "() => [...document.querySelector('[data-testid=stDataFrame]').querySelectorAll('th')].map(th => th.innerText)"


def table_heads(page, shows: str) -> list[str]:
    """The heads the table draws once it has drawn `shows` (a narrow window lays the table out again after it has
    told the server its width), or what it draws after waiting for that."""
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(f"() => ({TABLE_HEADS_JS})().includes({shows!r})", timeout=15000, polling=200)
    server.wait_for_app(page)
    return page.evaluate(TABLE_HEADS_JS)


def test_the_changes_table_shows_the_changes_on_a_phone_and_is_unchanged_on_a_laptop(context, app_url):
    page = context.new_page()
    try:
        page.set_viewport_size({"width": 375, "height": 812})
        open_app(page, f"{app_url}/changes?pol=4")
        page.locator("[data-testid=stDataFrame]").first.scroll_into_view_if_needed()
        heads = table_heads(page, "増減")
        # What a row is, then how much it changed, on screen without scrolling the table sideways.
        assert heads[:3] == ["指標", "増減", "増減率"], heads
        box = page.locator("[data-testid=stDataFrame]").first.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375, box
        screenshot(page, "small_changes_table_375", full=False)

        page.set_viewport_size({"width": 1366, "height": 768})
        heads = table_heads(page, "方針")
        assert heads == ["方針", "施策番号", "指標", "単位", "H30年度", "R1年度", "増減", "増減率", "評価"], heads
    finally:
        page.close()


# Every drawn text of every chart (its title, ticks, legend, value labels, notes and source line) that reaches
# past the chart's own box, where the page cuts it off.
CHART_TEXT_OUT_JS = """
() => {
  const out = [];
  document.querySelectorAll('[data-testid=stPlotlyChart]').forEach((chart, n) => {
    const edge = chart.getBoundingClientRect();
    for (const t of chart.querySelectorAll('svg text')) {
      const box = t.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      if (box.left < edge.left - 1 || box.right > edge.right + 1 || box.top < edge.top - 1
          || box.bottom > edge.bottom + 1)
        out.push(`chart ${n}: "${t.textContent.slice(0, 30)}" (${Math.round(box.left)}..${Math.round(box.right)}`
                 + ` in ${Math.round(edge.left)}..${Math.round(edge.right)})`);
    }
  });
  return out;
}
"""

CHART_PAGES = {"/": "概要", "/trends": "推移", "/trends?q=女性人材": "推移", "/changes": "変化"}


@pytest.mark.parametrize("size", list(WIDTHS))
@pytest.mark.parametrize("path", list(CHART_PAGES))
def test_every_chart_text_lies_inside_its_chart(context, app_url, path, size):
    with opened_at(context, app_url + path, size) as page:
        where = f"{path} at {WIDTHS[size][0]} px"
        assert page.locator("h1").first.inner_text().strip() == CHART_PAGES[path], where
        assert page.locator("[data-testid=stPlotlyChart]").count() > 0, where
        # A narrow window tells the server its width after the first run, and the charts are drawn again for it.
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_function(f"() => ({CHART_TEXT_OUT_JS})().length === 0", timeout=15000, polling=300)
        server.wait_for_app(page)
        assert_no_error(page, where)
        assert page.evaluate(CHART_TEXT_OUT_JS) == [], where

"""The real server in Chromium: presentation mode (in the URL, sidebar hidden, the chart as tall as the window,
moved by the keys a clicker sends) and the Office and print downloads of the pages (PowerPoint with native charts,
the what-changed Excel, the A4 card)."""

from __future__ import annotations

import contextlib
import io
import re
import zipfile

import pytest
from openpyxl import load_workbook
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from pptx import Presentation

from . import server
from .conftest import SIZES, assert_no_error, new_context, open_app, screenshot

pytestmark = pytest.mark.browser


# Every toast and plotly notice the page shows, collected as it appears (they fade after a few seconds).
TOASTS_SCRIPT = """
(() => {
  window.__evaldashToasts = [];
  new MutationObserver(() => {
    for (const t of document.querySelectorAll('[data-testid=stToast], .plotly-notifier .notifier-note'))
      window.__evaldashToasts.push(t.innerText);
  }).observe(document, {subtree: true, childList: true, characterData: true});
})();
"""

# Where the slide's parts are, in CSS pixels of the window.
SLIDE_BOX_JS = """
() => {
  const main = document.querySelector('[data-testid=stMain]');
  const chart = document.querySelector('[data-testid=stPlotlyChart]').getBoundingClientRect();
  const captions = [...main.querySelectorAll('[data-testid=stCaptionContainer]')];
  const source = captions.find((c) => c.innerText.startsWith('出典')).getBoundingClientRect();
  const title = main.querySelector('h1').getBoundingClientRect();
  return {window: window.innerHeight, scrollTop: main.scrollTop, chartHeight: chart.height,
          titleTop: title.top, sourceBottom: source.bottom};
}
"""

# What a person reads: without the names of the icons (a ligature font draws "tune" as an icon; they are
# aria-hidden, so a screen reader skips them too).
READ_TEXT_JS = """
() => {
  const main = document.querySelector('[data-testid=stMain]');
  let text = main.innerText;
  for (const icon of main.querySelectorAll('[aria-hidden=true][translate=no]')) text = text.replace(icon.innerText, '');
  return text;
}
"""


def english_words(text: str) -> list[str]:
    """Words in Latin letters, leaving out the report's file name that the source line cites."""
    return re.findall(r"[A-Za-z]{2,}", re.sub(r"[\w.-]+\.(txt|csv|xlsx)", "", text))


def slide_title(page) -> str:
    return page.locator("h1").first.inner_text()


def press(page, key: str, title: str) -> None:
    server.rerun(page, lambda: page.keyboard.press(key), shows=page.locator("h1").filter(has_text=title))


def fills_window(box: dict) -> bool:
    """The source line, the slide's last line, ends on screen and less than a seventh of the window below it
    is left empty: the chart took the rest."""
    return box["sourceBottom"] <= box["window"] and box["window"] - box["sourceBottom"] < box["window"] / 7


def assert_fills_window(page, where: str) -> None:
    """The whole slide is on screen from its top, and the chart takes what the rest leaves of the window."""
    # The chart is drawn at a first height, then at the one the browser's report of its window allows.
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(f"() => {{ const box = ({SLIDE_BOX_JS})(); return box.sourceBottom <= box.window"
                               " && box.window - box.sourceBottom < box.window / 7; }", timeout=20000, polling=200)
    server.wait_for_app(page)
    box = page.evaluate(SLIDE_BOX_JS)
    assert box["scrollTop"] == 0 and box["titleTop"] >= 0, f"opens at the top at {where}: {box}"
    assert fills_window(box), f"the slide fills the window at {where}: {box}"
    assert box["chartHeight"] >= 300, f"the chart keeps a readable height at {where}: {box}"


def test_presentation_mode_at_laptop_and_projector_size(browser, app_url):
    for size in ("laptop", "projector"):
        context = new_context(browser, size)
        context.add_init_script(TOASTS_SCRIPT)
        page = context.new_page()
        where = f"presentation mode at {SIZES[size]}"
        try:
            # Opened from the normal view scrolled to its end, where the button is.
            open_app(page, f"{app_url}/trends?pol=4")
            page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollTo(0, 1e6)")
            server.rerun(page, lambda: page.get_by_role("button", name="発表モード").click(),
                         shows=page.locator("h1").filter(has_text="広島派遣への累計参加者数"))
            assert_no_error(page, where)
            assert not page.locator("[data-testid=stSidebar]").is_visible(), "the sidebar is hidden"
            assert slide_title(page) == "広島派遣への累計参加者数"
            assert "出典: 苫小牧市 施策評価表 R1年度" in server.main_text(page)
            assert_fills_window(page, where)
            assert server.horizontal_overflow(page) == []
            screenshot(page, f"present_{size}", full=False)

            # The keys a presentation clicker sends, and the arrow keys.
            press(page, "ArrowRight", "原爆パネル展来場者数")
            assert "原爆パネル展来場者数は、H30年度の350人からR1年度の740人へ390人増加（+111.4%）しました。" in server.main_text(page)
            assert "slide=2" in page.url and "present=1" in page.url
            press(page, "PageDown", "平和祈念式典来場者数")
            assert "slide=3" in page.url
            assert_fills_window(page, f"{where}, slide 3")
            press(page, "PageUp", "原爆パネル展来場者数")
            press(page, "ArrowLeft", "広島派遣への累計参加者数")
            server.rerun(page, lambda: page.get_by_role("button", name="次へ").click(),
                         shows=page.locator("h1").filter(has_text="原爆パネル展来場者数"))
            assert slide_title(page) == "原爆パネル展来場者数"
            if size == "projector":
                screenshot(page, "present_slide2_projector", full=False)

            # A copied link opens on the same slide in another session.
            other = context.new_page()
            open_app(other, page.url)
            assert slide_title(other) == "原爆パネル展来場者数"
            other.close()

            assert english_words(page.evaluate(READ_TEXT_JS)) == [], where
            assert english_words(" ".join(page.evaluate("() => window.__evaldashToasts"))) == [], where

            server.rerun(page, lambda: page.get_by_role("button", name="発表モードを終了").click(),
                         shows=page.locator("h1").filter(has_text="推移"))
            assert "present=1" not in page.url
            assert slide_title(page) == "推移"
            assert page.locator("[data-testid=stSidebar]").is_visible()
        finally:
            context.close()


def test_an_indicator_without_values_is_a_slide_that_says_so(page, app_url):
    open_app(page, f"{app_url}/trends?pol=3&present=1")
    assert slide_title(page) == "「苫小牧市男女平等参画都市宣言」を見聞きしたことがある市民の割合"
    text = server.main_text(page)
    assert "この指標には表示できる値がありません" in text
    assert "※令和3年度調査予定(平成27年度 40%)" in text
    assert page.locator("[data-testid=stPlotlyChart]").count() == 0, "no empty chart"
    assert english_words(page.evaluate(READ_TEXT_JS)) == []
    screenshot(page, "present_no_values", full=False)


def test_office_and_print_downloads(page, app_url):
    open_app(page, f"{app_url}/changes?pol=3")
    with page.expect_download() as info:
        page.get_by_role("button", name="PowerPoint").click()
    deck = Presentation(io.BytesIO(open(info.value.path(), "rb").read()))
    assert info.value.suggested_filename == "施策評価_変化_運営方針03_R1年度.pptx"  # named from the selection
    assert len(deck.slides) == 1 + 1 + 7  # the title, the ranking of the changes, one an indicator
    ranking = deck.slides[1]
    assert ranking.shapes.title.text == "増減率の順位"
    bars = next(shape.chart for shape in ranking.shapes if shape.has_chart)
    assert max(bars.plots[0].series[0].values) == 660.0, "女性のエンパワーメント講座's +660.0 % ranks first"
    values = [list(shape.chart.plots[0].series[0].values)
              for slide in deck.slides for shape in slide.shapes if shape.has_chart]
    assert [47.0, 68.0] in values, "女性人材バンク登録者数 as a native, editable chart"

    with page.expect_download() as info:
        page.get_by_role("button", name="Excel（変化の表）").click()
    blob = open(info.value.path(), "rb").read()
    assert info.value.suggested_filename == "施策評価_変化_運営方針03_R1年度.xlsx"
    assert zipfile.is_zipfile(io.BytesIO(blob))
    sheet = load_workbook(io.BytesIO(blob), read_only=True).worksheets[0]
    rows = [r for r in sheet.iter_rows(values_only=True)]
    assert any("女性人材バンク登録者数" in (c or "") for r in rows for c in r if isinstance(c, str))
    assert any(47 in r and 68 in r for r in rows)

    open_app(page, f"{app_url}/trends?pol=3")
    with page.expect_download() as info:
        page.get_by_role("button", name="PowerPoint").click()
    assert info.value.suggested_filename == "施策評価_推移_運営方針03_R1年度.pptx"  # not the first indicator's name

    open_app(page, f"{app_url}/card?measure=1110421")
    with page.expect_download() as info:
        page.get_by_role("button", name="印刷用（A4）").click()
    html = open(info.value.path(), encoding="utf-8").read()
    assert "原爆パネル展来場者数は、H30年度の350人からR1年度の740人へ390人増加" in html and "@page { size: A4" in html
    assert_no_error(page)

"""The keyboard alone runs the council member's three clicks (README "Finding things"; issue 17 §3).

Every action here is a key press: Tab / Shift+Tab to move, typing, Enter. The page is only read (which element has
the focus, what it shows), never clicked.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from . import server
from .conftest import assert_no_error, open_app

pytestmark = pytest.mark.browser

# The focused element's name as a person hears it: its aria-label, else a control's text's last line (a link's or a
# summary's icon is a ligature word on a line of its own before the label). A region that takes the focus to scroll
# (Streamlit's main area) is named by its tag, not by all the text it holds.
FOCUSED_JS = """
() => {
  const e = document.activeElement;
  if (!e || e === document.body) return '';
  const label = e.getAttribute('aria-label');
  if (label) return label.trim();
  if (!['A', 'BUTTON', 'SUMMARY'].includes(e.tagName)) return e.tagName;
  const lines = (e.innerText || e.textContent || '').split('\\n').map((s) => s.trim()).filter(Boolean);
  return lines.length ? lines[lines.length - 1] : '';
}
"""
# More than the sidebar and a page hold focusable elements: a control never reached fails, not loops.
MAX_TABS = 200


def tab_to(page, name: str, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the element named `name` has the focus."""
    seen = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        focused = page.evaluate(FOCUSED_JS)
        if focused == name:  # exactly: not 「Help for キーワード検索」, the help button beside the box
            return
        seen.append(focused)
    pytest.fail(f"{name!r} is not reached with the keyboard; focus went through {seen[:60]}")


def test_the_three_clicks_with_the_keyboard_alone(page, app_url):
    open_app(page, app_url + "/")

    # 1. キーワード検索 in the sidebar: type and press Enter.
    tab_to(page, "キーワード検索")
    page.keyboard.type("女性人材")
    server.rerun(page, lambda: page.keyboard.press("Enter"))
    assert parse_qs(urlsplit(page.url).query).get("q") == ["女性人材"]

    # 2. 推移 in the navigation above the filters.
    tab_to(page, "推移", backwards=True)
    server.rerun(page, lambda: page.keyboard.press("Enter"), shows=page.locator("h1").filter(has_text="推移"))
    assert urlsplit(page.url).path == "/trends"
    assert "女性人材バンク登録者数は" in server.main_text(page)

    # 3. The measure's card.
    tab_to(page, "施策 1110321 のカードを開く")
    server.rerun(page, lambda: page.keyboard.press("Enter"),
                 shows=page.locator("h2").filter(has_text="施策 1110321"))
    assert_no_error(page)
    assert urlsplit(page.url).path == "/card"
    assert parse_qs(urlsplit(page.url).query).get("measure") == ["1110321"]
    assert "女性人材バンク登録者数" in server.main_text(page)


def test_a_charts_numbers_open_with_the_keyboard_as_a_real_table(page, app_url):
    open_app(page, app_url + "/trends?q=女性人材")
    tab_to(page, "グラフの数値（表）")
    page.keyboard.press("Enter")
    table = page.locator("[data-testid=stExpander] table").filter(has_text="女性人材バンク登録者数")
    table.first.wait_for(state="visible")
    cells = table.first.locator("td").all_inner_texts()
    assert "47人" in cells and "68人" in cells, cells

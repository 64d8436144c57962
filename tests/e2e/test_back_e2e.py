"""Browser Back returns to the previous view in one press: a page visit or a changed widget adds one entry to the
browser's history, with no intermediate address (issue 17 §4)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from . import server
from .conftest import assert_no_error, new_context, open_app

pytestmark = pytest.mark.browser

# Every address the app puts into the browser's history, in order (pushState adds an entry, replaceState does not).
HISTORY_LOG = """
(() => {
  window.__pushed = [];
  const push = history.pushState.bind(history);
  history.pushState = (state, title, url) => { window.__pushed.push(String(url)); return push(state, title, url); };
})();
"""


@pytest.fixture
def tab(browser, app_url):
    ctx = new_context(browser)
    ctx.add_init_script(HISTORY_LOG)
    page = ctx.new_page()
    yield page
    ctx.close()


def pushed(page) -> list[str]:
    return page.evaluate("() => window.__pushed")


def where(page) -> tuple[str, dict]:
    parts = urlsplit(page.url)
    return parts.path, parse_qs(parts.query)


def back(page) -> None:
    page.go_back()
    server.wait_for_app(page)
    assert_no_error(page)


def title(page) -> str:
    return page.locator("h1").first.inner_text().strip()


def sidebar_input(page, label: str):
    return page.locator(f"[data-testid=stSidebar] input[aria-label='{label}']")


def test_back_from_a_card_opened_on_changes_returns_to_changes_in_one_press(tab, app_url):
    open_app(tab, app_url + "/")
    server.rerun(tab, tab.locator(server.NAV_LINKS).filter(has_text="変化").click,
                 shows=tab.locator("h1").filter(has_text="変化"))
    changes = where(tab)
    grid = tab.locator("[data-testid=stDataFrame]").first.locator("[data-testid=data-grid-canvas]")
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    link = tab.locator("[data-testid=stPageLink] a").filter(has_text="の施策カードを開く")
    server.rerun(tab, lambda: tab.mouse.click(box["x"] + 16, box["y"] + 35 + 17), shows=link)
    before = len(pushed(tab))
    server.rerun(tab, link.first.click, shows=tab.locator("h2").filter(has_text="施策 "))
    assert where(tab)[0] == "/card" and "measure" in where(tab)[1]
    assert len(pushed(tab)) == before + 1, pushed(tab)  # one entry for the visit, none on the way
    assert not any(u.startswith("/changes") and "measure=" in u for u in pushed(tab)), pushed(tab)

    back(tab)
    assert where(tab) == changes and title(tab) == "変化"
    back(tab)
    assert where(tab)[0] == "/" and title(tab) == "概要"


def test_back_undoes_a_search_in_one_press(tab, app_url):
    open_app(tab, app_url + "/changes")
    start = where(tab)
    box = sidebar_input(tab, "キーワード検索")
    box.fill("女性")
    before = len(pushed(tab))
    server.rerun(tab, lambda: box.press("Enter"))
    assert where(tab)[1].get("q") == ["女性"]
    assert len(pushed(tab)) == before + 1, pushed(tab)
    back(tab)
    assert where(tab) == start
    assert sidebar_input(tab, "キーワード検索").input_value() == ""


def test_taking_out_a_filter_from_an_empty_view_is_one_step_back(tab, app_url):
    open_app(tab, app_url + "/?pol=3&refl=A")
    start = where(tab)
    before = len(pushed(tab))
    server.rerun(tab, tab.get_by_role("button", name="『反映区分: A』を外す").click)
    assert where(tab)[1] == {"pol": ["3"]}
    assert len(pushed(tab)) == before + 1, pushed(tab)
    back(tab)
    assert where(tab) == start


def test_the_sidebar_list_of_pages_keeps_the_filter_and_back_returns_in_one_press(tab, app_url):
    open_app(tab, app_url + "/?q=女性人材")
    before = len(pushed(tab))
    server.rerun(tab, tab.locator(server.NAV_LINKS).filter(has_text="推移").click,
                 shows=tab.locator("h1").filter(has_text="推移"))
    assert where(tab) == ("/trends", {"q": ["女性人材"]})
    assert len(pushed(tab)) == before + 1, pushed(tab)  # the page with its filter, no bare address on the way
    assert sidebar_input(tab, "キーワード検索").input_value() == "女性人材"
    assert "女性人材バンク登録者数は" in server.main_text(tab)
    back(tab)
    assert where(tab) == ("/", {"q": ["女性人材"]}) and title(tab) == "概要"
    assert sidebar_input(tab, "キーワード検索").input_value() == "女性人材"

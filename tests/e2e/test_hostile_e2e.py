"""Hostile input in the browser (issue 5, item 3): report text carrying <script>, <img onerror>,
javascript: links and Markdown tricks shows as plain text on every page and nothing executes;
URL parameters carrying SQL, very long strings, control characters and unknown values give a
plain "nothing found" (or are dropped), never an error, and never change the store.
"""

from __future__ import annotations

import hashlib
import html
import shutil
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import duckdb
import pytest

from evaldash import store

from . import server
from .conftest import ROOT, assert_no_error, open_app, screenshot

pytestmark = pytest.mark.browser

MEASURE = "1110321"
PURPOSE = "審議会や委員会などへの女性の参画を促進します。"
ACTION = "・ 女性人材バンク登録者への研修会の実施"
INDICATOR = "\t女性人材バンク登録者数\t人"
DIRECTION = "<p>女性人材バンク登録者を増やすために、"

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=1">'
LINK = "[押して](javascript:window.__pwned=1)"
MARKDOWN = ["**太字**", ":red[赤]", "$x$"]
HOSTILE = " ".join([SCRIPT, IMG, LINK, *MARKDOWN])
# Cells that may hold HTML (actions, directions) lose their tags in the parser; written as entities,
# the same text survives as characters.
HOSTILE_ENTITIES = html.escape(HOSTILE, quote=False)

# Anything from the report that became live markup or ran.
EXECUTED_JS = """
() => {
  const found = [];
  if (window.__pwned !== undefined) found.push('window.__pwned is set');
  for (const s of document.querySelectorAll('script')) if (s.textContent.includes('__pwned')) found.push('a <script> element');
  for (const e of document.querySelectorAll('*')) {
    for (const a of e.attributes) {
      if (/^on/i.test(a.name) && a.value.includes('__pwned')) found.push(`<${e.tagName} ${a.name}>`);
      if (/^(href|src|xlink:href|action|formaction|srcdoc|data|poster|background)$/i.test(a.name)
          && /javascript:/i.test(a.value)) found.push(`<${e.tagName} ${a.name}="${a.value}">`);
    }
  }
  for (const i of document.querySelectorAll('img')) if (i.getAttribute('src') === 'x') found.push('<img src=x>');
  for (const b of document.querySelectorAll('strong, b')) if (b.textContent === '太字') found.push('**太字** became bold');
  for (const k of document.querySelectorAll('.katex, math')) found.push('$x$ became a formula');
  for (const a of document.querySelectorAll('a')) if (a.textContent === '押して') found.push('a link 押して');
  return found;
}
"""


def hostile_report(text: str) -> str:
    replaced = (
        text.replace(PURPOSE, PURPOSE + HOSTILE, 1)
        .replace(ACTION, f"{ACTION} {HOSTILE_ENTITIES}", 1)
        .replace(INDICATOR, f"\t女性人材バンク登録者数 {HOSTILE}\t人", 1)
        .replace(DIRECTION, f"<p>{HOSTILE_ENTITIES}", 1)
    )
    assert replaced.count("__pwned") == 4 * HOSTILE.count("__pwned"), "the seed report changed: update the anchors"
    return replaced


def table_counts(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [t for (t,) in con.execute("SELECT table_name FROM information_schema.tables "
                                              "WHERE table_type = 'BASE TABLE' ORDER BY 1").fetchall()]
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        con.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def app_data(tmp_path_factory):
    """A copy of the seed report with hostile text in a purpose, an action, an indicator name and a direction."""
    base = tmp_path_factory.mktemp("hostile")
    reports = base / "reports"
    reports.mkdir()
    seed = (ROOT / "data" / "reports" / "tomakomai_R1.txt").read_text(encoding="utf-8")
    (reports / "tomakomai_R1.txt").write_text(hostile_report(seed), encoding="utf-8")
    for other in (ROOT / "data" / "reports").iterdir():
        if other.name != "tomakomai_R1.txt" and other.is_file():
            shutil.copy2(other, reports / other.name)
    db = base / "evaldash.duckdb"
    store.build(reports, db)
    return reports, db


@pytest.fixture(scope="module")
def stored(app_data):
    """The hostile texts as the store holds them (the precondition of every test here)."""
    _, db = app_data
    con = duckdb.connect(str(db), read_only=True)
    try:
        purpose = con.execute("SELECT purpose FROM measures WHERE measure_id = ?", [MEASURE]).fetchone()[0]
        actions = [t for (t,) in con.execute("SELECT text FROM actions WHERE measure_id = ?", [MEASURE]).fetchall()]
        names = [t for (t,) in con.execute("SELECT indicator FROM indicators WHERE measure_id = ?", [MEASURE]).fetchall()]
    finally:
        con.close()
    action = next(a for a in actions if "__pwned" in a)
    name = next(n for n in names if "__pwned" in n)
    for text in (purpose, action, name):
        assert SCRIPT in text and IMG in text and LINK in text, f"the parser no longer keeps the hostile text: {text!r}"
    return {"purpose": purpose, "action": action, "indicator": name}


@pytest.fixture
def page(context):
    p = context.new_page()
    dialogs = []
    p.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    p.dialogs = dialogs
    yield p
    assert not dialogs, f"a dialog opened: {dialogs}"
    p.close()


def assert_nothing_ran(page, where: str) -> None:
    assert_no_error(page, where)
    assert page.evaluate(EXECUTED_JS) == [], where


PAGES = [
    ("/?pol=3", "overview"),
    ("/trends?q=女性人材", "trends"),
    ("/changes?q=女性人材", "changes"),
    (f"/card?measure={MEASURE}", "card"),
    ("/data?q=女性人材", "data"),
    ("/import", "import"),
]


@pytest.mark.parametrize("path,name", PAGES, ids=[n for _, n in PAGES])
def test_report_text_stays_text_on_every_page(page, context, app_url, stored, tmp_path, path, name):
    open_app(page, app_url + path)
    assert_nothing_ran(page, path)
    screenshot(page, f"hostile_{name}", full=False)
    text = server.main_text(page)
    svg = " ".join(page.locator("[data-testid=stPlotlyChart] .main-svg").all_text_contents())
    if name == "card":
        for field in ("purpose", "action", "indicator"):
            assert stored[field] in text, f"{field} is not shown as written"
        assert text.count(SCRIPT) >= 4 and text.count(LINK) >= 4  # purpose, action, indicator, direction
    if name == "trends":
        assert f"{stored['indicator']}は、H30年度の47人からR1年度の68人へ" in text  # the sentence, as written
        assert stored["indicator"] in svg  # legend / panel title of the chart, as written
    if name == "changes":
        assert f"{stored['indicator']}は、H30年度の47人からR1年度の68人へ" in text  # the sentences for council material
        assert any(stored["indicator"] in cell for row in server.table_rows(page) for cell in row)
    if name == "data":
        assert any(stored["indicator"] in row for row in server.table_rows(page))  # the tab shown first
    for mark in MARKDOWN:
        if name in ("card", "trends", "changes"):
            assert mark in text, f"{mark} lost its characters on {path}"
    if name == "trends":
        hover_shows_the_name_as_text(page)
    if name == "card":
        print_file_shows_the_text_and_runs_nothing(page, context, stored, tmp_path)


def hover_shows_the_name_as_text(page) -> None:
    """Hover the points of the trends chart: the hostile indicator's label is plain text."""
    chart = page.locator("[data-testid=stPlotlyChart]").first
    chart.scroll_into_view_if_needed()
    labels = []
    for point in chart.locator(".scatterlayer .trace .points path").all():
        box = point.bounding_box()
        if not box:
            continue
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        label = chart.locator(".hoverlayer")
        label.locator("text").first.wait_for()
        labels.append(label.text_content())
        if "__pwned" in labels[-1]:
            break
    label = labels[-1] if labels else ""
    assert SCRIPT in label and IMG in label and ("47人" in label or "68人" in label), labels
    assert_nothing_ran(page, "trends hover")


def print_file_shows_the_text_and_runs_nothing(page, context, stored, tmp_path) -> None:
    """The card's print file is HTML that people open in their browser: the same rules hold there."""
    with page.expect_download() as info:
        page.get_by_role("button", name="印刷用（A4）").click()
    saved = tmp_path / info.value.suggested_filename
    assert saved.suffix == ".html"
    info.value.save_as(saved)
    printable = context.new_page()
    try:
        printable.goto(saved.as_uri())
        printable.wait_for_load_state("load")
        assert printable.evaluate(EXECUTED_JS) == []
        body = printable.locator("body").inner_text()
        for field in ("purpose", "action", "indicator"):
            assert stored[field] in body, f"{field} is not shown as written in the print file"
    finally:
        printable.close()


def test_the_checker_sees_live_markup(page):
    """The check above would notice: the same text as live HTML is caught in this browser."""
    page.set_content(f"<p>{SCRIPT}{IMG}<a href='javascript:window.__pwned=1'>押して</a><strong>太字</strong></p>")
    page.wait_for_function("() => window.__pwned === 1")
    found = page.evaluate(EXECUTED_JS)
    for what in ("window.__pwned is set", "a <script> element", "<IMG onerror>", "<img src=x>",
                 "**太字** became bold", "a link 押して"):
        assert what in found, (what, found)


# --- URL parameters -----------------------------------------------------------------------------

def url_for(base: str, path: str, params: dict[str, str]) -> str:
    return f"{base}{path}?{urlencode(params, quote_via=quote)}"


NOTHING_FOUND = [
    ("/changes", {"q": "'; DROP TABLE measures;--"}),
    ("/trends", {"q": "女" * 5000}),
    ("/data", {"q": "\x00\x01\x1b[31m\x7f\u200b\u202e' OR '1'='1\"\\%_"}),
]
# Unknown or malformed filter values are dropped (from the widgets and from the URL), never an error.
DROPPED = [
    ("/", {"pol": "99", "refl": "Z", "dept": "'; DELETE FROM observations;--", "sec": "\x00" * 10}),
    ("/changes", {"pol": "1;DROP TABLE measures", "muni": "' OR 1=1 --", "refl": "A,Z"}),
]


def search_box(page):
    return page.locator("[data-testid=stSidebar] input[aria-label='キーワード検索']")


def assert_nothing_found(page, where: str) -> None:
    assert_nothing_ran(page, where)
    info = page.locator("[data-testid=stAlertContentInfo]")
    assert info.count() and "該当する" in info.first.inner_text(), where
    value = search_box(page).input_value()
    assert len(value) <= 100, where  # the search is bounded
    assert not any(ord(c) < 32 or c == "\x7f" for c in value), where


def test_hostile_url_parameters_and_search_find_nothing_and_change_nothing(page, app_url, app_data):
    _, db = app_data
    before, before_digest = table_counts(db), digest(db)
    assert before["measures"] > 0

    for n, (path, params) in enumerate(NOTHING_FOUND):
        where = f"{path} {sorted(params)}"
        open_app(page, url_for(app_url, path, params))
        assert_nothing_found(page, where)
        if n == 0:  # the same, typed into the search box
            typed = "'); DROP TABLE observations; --"
            search_box(page).fill(typed)
            server.rerun(page, lambda: search_box(page).press("Enter"))
            assert_nothing_found(page, f"typed {typed}")
            assert parse_qs(urlsplit(page.url).query)["q"] == [typed]

    for path, params in DROPPED:
        where = f"{path} {sorted(params)}"
        open_app(page, url_for(app_url, path, params))
        assert_nothing_ran(page, where)
        left = parse_qs(urlsplit(page.url).query)
        assert left.get("refl") in (None, ["A"]), where
        assert not set(left) & {"pol", "dept", "sec", "muni"}, f"{where}: unknown values stay in the URL: {left}"
        assert page.locator("h1").count() == 1, where

    open_app(page, url_for(app_url, "/card", {"measure": "0000000"}))
    assert_nothing_ran(page, "/card measure=0000000")
    assert page.locator("h1").first.inner_text().strip() == "施策カード"

    assert table_counts(db) == before
    assert digest(db) == before_digest

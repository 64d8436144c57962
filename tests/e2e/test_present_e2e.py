"""The real server in Chromium: presentation mode (in the URL, sidebar hidden, previous/next) and the
Office and print downloads of the pages (PowerPoint with native charts, the what-changed Excel, the A4 card)."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook
from pptx import Presentation

from . import server
from .conftest import SIZES, assert_no_error, new_context, open_app, screenshot

pytestmark = pytest.mark.browser


def test_presentation_mode_at_laptop_and_projector_size(browser, app_url):
    for size in ("laptop", "projector"):
        context = new_context(browser, size)
        page = context.new_page()
        try:
            open_app(page, f"{app_url}/trends?pol=4&present=1")
            assert_no_error(page, f"presentation mode at {SIZES[size]}")
            assert not page.locator("[data-testid=stSidebar]").is_visible(), "the sidebar is hidden"
            assert page.locator("h1").first.inner_text() == "広島派遣への累計参加者数"
            text = server.main_text(page)
            assert "出典: 苫小牧市 施策評価表 R1年度" in text
            assert server.horizontal_overflow(page) == []
            screenshot(page, f"present_{size}", full=False)

            # Waited for by what the run shows: a warm run may start and end within one browser frame.
            server.rerun(page, lambda: page.get_by_role("button", name="次へ →").click(),
                         shows=page.locator("h1").filter(has_text="原爆パネル展来場者数"))
            assert page.locator("h1").first.inner_text() == "原爆パネル展来場者数"
            assert "原爆パネル展来場者数は、H30年度の350人からR1年度の740人へ390人増加（+111.4%）しました。" in server.main_text(page)
            assert "slide=2" in page.url and "present=1" in page.url
            if size == "projector":
                screenshot(page, "present_slide2_projector", full=False)

            # A copied link opens on the same slide in another session.
            other = context.new_page()
            open_app(other, page.url)
            assert other.locator("h1").first.inner_text() == "原爆パネル展来場者数"
            other.close()

            server.rerun(page, lambda: page.get_by_role("button", name="発表モードを終了").click(),
                         shows=page.locator("h1").filter(has_text="推移"))
            assert "present=1" not in page.url
            assert page.locator("h1").first.inner_text() == "推移"
            assert page.locator("[data-testid=stSidebar]").is_visible()
        finally:
            context.close()


def test_office_and_print_downloads(page, app_url):
    open_app(page, f"{app_url}/changes?pol=3")
    with page.expect_download() as info:
        page.get_by_role("button", name="PowerPoint").click()
    deck = Presentation(io.BytesIO(open(info.value.path(), "rb").read()))
    assert info.value.suggested_filename.endswith(".pptx")
    assert len(deck.slides) == 1 + 7
    values = [list(shape.chart.plots[0].series[0].values)
              for slide in deck.slides for shape in slide.shapes if shape.has_chart]
    assert [47.0, 68.0] in values, "女性人材バンク登録者数 as a native, editable chart"

    with page.expect_download() as info:
        page.get_by_role("button", name="Excel（変化の表）").click()
    blob = open(info.value.path(), "rb").read()
    assert zipfile.is_zipfile(io.BytesIO(blob))
    sheet = load_workbook(io.BytesIO(blob), read_only=True).worksheets[0]
    rows = [r for r in sheet.iter_rows(values_only=True)]
    assert any("女性人材バンク登録者数" in (c or "") for r in rows for c in r if isinstance(c, str))
    assert any(47 in r and 68 in r for r in rows)

    open_app(page, f"{app_url}/card?measure=1110421")
    with page.expect_download() as info:
        page.get_by_role("button", name="印刷用（A4）").click()
    html = open(info.value.path(), encoding="utf-8").read()
    assert "原爆パネル展来場者数は、H30年度の350人からR1年度の740人へ390人増加" in html and "@page { size: A4" in html
    assert_no_error(page)

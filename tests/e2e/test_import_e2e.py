"""The real server in Chromium, on the 取込 page: a refused upload changes nothing; a next-year report and
another city's spreadsheet go through upload → preview → confirm, show in 推移, and are removed again."""

from __future__ import annotations

import hashlib
import io
import re

import pandas as pd
import pytest

from ..pages.test_imports_page import OTHER_CITY_CSV, next_year_report
from . import server
from .conftest import assert_no_error, open_app, screenshot

pytestmark = pytest.mark.browser


def snapshot(app_data) -> dict:
    reports, db = app_data
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in [*sorted(reports.iterdir()), db]}


def upload(page, name: str, data: bytes, mime: str) -> None:
    """Choose the file, then wait for the run the upload starts to say what it found."""
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": data}])
    page.wait_for_function(
        "() => /取り込めません|問題は見つかりませんでした|注意があります/.test("
        "document.querySelector('[data-testid=stMain]').innerText)", timeout=60000)
    server.wait_for_app(page, 60000)


def test_refused_upload_changes_nothing(page, app_url, app_data):
    before = snapshot(app_data)
    open_app(page, f"{app_url}/import")
    upload(page, "binary.txt", b"\x00\x01\x02PNG" * 50, "text/plain")
    text = server.main_text(page)
    assert "取り込めません" in text and "binary" in text
    assert page.get_by_role("button", name="確定して取り込む").count() == 0
    assert snapshot(app_data) == before


def xlsx_bytes(csv: bytes) -> bytes:
    """The other city's numbers as staff keep them: an Excel sheet with the template's columns."""
    buf = io.BytesIO()
    pd.read_csv(io.BytesIO(csv), dtype=str).to_excel(buf, index=False, sheet_name="指標")
    return buf.getvalue()


def metrics(page) -> dict[str, str]:
    out = {}
    for m in page.locator("[data-testid=stMetric]").all():
        label = m.locator("[data-testid=stMetricLabel]").inner_text().strip()
        out[label] = m.locator("[data-testid=stMetricValue]").inner_text().strip()
    return out


def confirm(page) -> str:
    server.rerun(page, lambda: page.get_by_role("button", name="確定して取り込む").click(), 60000)
    page.wait_for_function("() => /取り込みました: /.test(document.querySelector('[data-testid=stMain]').innerText)",
                           timeout=60000)
    server.wait_for_app(page)
    return server.main_text(page)


def remove(page, name: str) -> None:
    form = page.locator("[data-testid=stForm]")
    form.locator("[data-testid=stSelectbox]").click()
    page.locator("[role=option]").filter(has_text=name).first.click()
    server.rerun(page, lambda: form.get_by_role("button", name="取り除く").click(), 60000)
    page.wait_for_function("(n) => document.querySelector('[data-testid=stMain]').innerText.includes(n + ' を取り除きました')",
                           arg=name, timeout=60000)
    server.wait_for_app(page)
    assert re.search(rf"{re.escape(name)} を取り除きました（removed/\d{{8}}T\d+_{re.escape(name)} に保管しています）",
                     server.main_text(page)), server.main_text(page)


def trends_text(page, url: str) -> str:
    open_app(page, f"{url}/trends?q=女性人材バンク")
    assert_no_error(page)
    return server.main_text(page) + "\n" + page.locator("[data-testid=stSidebar]").inner_text()


def test_next_year_report_and_another_city_imported_shown_and_removed(page, app_url, app_data):
    """Issue 7's promise, as a new user would try it in the browser, with nothing lost at the end."""
    reports, _db = app_data
    original = {p.name: p.read_bytes() for p in reports.iterdir()}

    # 1. Next year's report: findings, then a preview of what changes, before anything is written.
    open_app(page, f"{app_url}/import")
    upload(page, "r2_report.txt", next_year_report(), "text/plain")
    assert_no_error(page)
    text = server.main_text(page)
    assert "r2_report.txt: 問題は見つかりませんでした。" in text and "取り込むと変わること" in text
    assert metrics(page) == {"新しい施策": "0", "新しい年度": "1", "追加される値": "2", "修正される値": "1"}
    revised = server.table_rows(page, 0)
    assert any("原爆パネル展来場者数" in r and "740" in r and "745" in r for r in revised), revised
    assert sorted(p.name for p in reports.iterdir()) == sorted(original), "nothing written before confirming"
    screenshot(page, "import_preview")
    text = confirm(page)
    assert "取り込みました: r2_report.txt" in text
    assert (reports / "r2_report.txt").read_bytes() == next_year_report()

    # 2. Another city's spreadsheet.
    upload(page, "ofunato.xlsx", xlsx_bytes(OTHER_CITY_CSV),
           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert_no_error(page)
    assert metrics(page)["新しい施策"] == "1" and metrics(page)["追加される値"] == "3"
    assert "取り込みました: ofunato.xlsx" in confirm(page)
    listed = [r[0] for r in server.table_rows(page, 0)]
    assert {"r2_report.txt", "ofunato.xlsx"} <= set(listed), listed

    # 3. Both shown in 推移: the new year for 苫小牧市, the other city beside it, a 自治体 filter.
    text = trends_text(page, app_url)
    assert "R1年度の68人からR2年度の75人へ7人増加" in text, text
    assert "R1年度の41人からR2年度の44人へ3人増加" in text, text
    assert "自治体" in page.locator("[data-testid=stSidebar]").inner_text()
    screenshot(page, "import_trends_two_cities")

    # 4. Removed again, from the browser: the folder is as it was, the removed files are kept, the store follows.
    open_app(page, f"{app_url}/import")
    remove(page, "r2_report.txt")
    remove(page, "ofunato.xlsx")
    assert_no_error(page)
    assert {p.name: p.read_bytes() for p in reports.iterdir()} == original
    kept = {p.name.split("_", 1)[1]: p for p in (reports.parent / "removed").iterdir()}  # <time stamp>_<name>
    assert kept["r2_report.txt"].read_bytes() == next_year_report()
    assert pd.read_excel(kept["ofunato.xlsx"], dtype=str)["value"].tolist() == ["30", "41", "44"]
    text = trends_text(page, app_url)
    assert "H30年度の47人からR1年度の68人へ21人増加" in text and "75人" not in text and "大船渡市" not in text

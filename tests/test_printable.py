"""The A4 print file of a measure card: escaped text, and a PDF whose Japanese text renders."""

from __future__ import annotations

import shutil
import subprocess
from html import escape
from pathlib import Path

import pytest

from evaldash import shaping, sql, store
from evaldash.export.printable import card_html
from tests.e2e.server import CHROMIUM_ARGS, chromium_path

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    base = tmp_path_factory.mktemp("print")
    db = base / "s.duckdb"
    store.build(ROOT / "data" / "reports", db)
    c = store.connect_readonly(db)
    yield c
    c.close()


def test_card_html_holds_the_whole_measure(con):
    html = card_html(con, "苫小牧市", "1110421")
    for text in ["施策 1110421", "反映区分 A：趣旨に沿って措置したもの", "総合政策部 政策推進課 / 福祉部 総合福祉課",
                 "原爆パネル展来場者数は、H30年度の350人からR1年度の740人へ390人増加（+111.4%）しました。", "（総合福祉課）",
                 "出典: 苫小牧市 施策評価表 R1年度", "tomakomai_R1.txt 354行", "@page { size: A4"]:
        assert text in html
    assert "<script" not in html and "http" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")


@pytest.mark.parametrize("measure_id", ["1110321", "1110311"])  # 1110311 has years the report wrote 「-」
def test_the_print_shows_each_year_as_the_card_on_screen(con, measure_id):
    indicators = sql.run(con, "measure_indicators", {"measure_id": measure_id, "municipality": "苫小牧市"})
    series = sql.run(con, "indicator_series", {"ids": indicators["indicator_id"].tolist()})
    html = card_html(con, "苫小牧市", measure_id)
    panels = shaping.indicator_panels(series, ()).values()
    shown = [(label, text) for p in panels for label, text in zip(p.values["fiscal_label"], p.values["表示"])]
    assert shown
    for label, text in shown:
        assert f"<tr><td>{escape(label)}</td><td>{escape(text)}</td></tr>" in html
    for p in panels:  # and where the values come from
        assert f'<div class="meta">{escape(p.source)}</div>' in html


def test_unknown_measure_is_a_lookup_error(con):
    with pytest.raises(LookupError):
        card_html(con, "苫小牧市", "0000000")


def test_print_to_pdf_renders_japanese(con, tmp_path):
    chromium = chromium_path()
    assert chromium, "chromium is needed for this test (scripts/test.sh installs it)"
    assert shutil.which("pdftotext"), "poppler-utils is needed for this test (scripts/test.sh installs it)"
    page = tmp_path / "card.html"
    page.write_text(card_html(con, "苫小牧市", "1110321"), encoding="utf-8")
    pdf = tmp_path / "card.pdf"
    subprocess.run([chromium, *CHROMIUM_ARGS, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()],
                   check=True, capture_output=True, timeout=120)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    # Text that comes back out of the PDF was set in a real CJK font, not as missing-glyph boxes.
    assert "女性人材バンク登録者数" in text and "47人" in text and "68人" in text
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, check=True, text=True).stdout
    info = dict(line.split(":", 1) for line in pages.splitlines() if ":" in line)
    assert int(info["Pages"]) in (1, 2)
    assert "(A4)" in info["Page size"]

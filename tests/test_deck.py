"""The PowerPoint deck: opened back with python-pptx and checked against the store, queried independently."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn
from pptx.util import Inches

from evaldash import sql, store
from evaldash.export.deck import EmptySelection, build_deck, deck_from_store
from evaldash.export.deck.selection import selection_file_name
from evaldash.export.deck.shapes import FONT
from evaldash.summary import round_half_up

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "data" / "reports"


@pytest.fixture(scope="session")
def deck_db(store_db) -> Path:
    """The shared test store (tests/conftest.py), read-only here."""
    return store_db




def raw(deck_db: Path, query: str, params: list | None = None) -> list[tuple]:
    """The store read with plain SQL, not through the exporter's named queries."""
    c = store.connect_readonly(deck_db)  # same settings as the exporter's connection, or DuckDB refuses
    try:
        return c.execute(query, params or []).fetchall()
    finally:
        c.close()


def open_deck(data: bytes):
    return Presentation(io.BytesIO(data))


def slide_texts_of(shape) -> list[str]:
    if shape.has_text_frame:
        return [shape.text_frame.text]
    if shape.has_table:
        return [cell.text for row in shape.table.rows for cell in row.cells]
    return []


def slide_texts(slide) -> list[str]:
    return [text for shape in slide.shapes for text in slide_texts_of(shape)]


def charts(slide):
    return [s.chart for s in slide.shapes if s.has_chart]


def tables(slide):
    return [s.table for s in slide.shapes if s.has_table]


def store_series(deck_db, indicator_id: str) -> list[tuple[str, float | None]]:
    return raw(deck_db, "SELECT fiscal_label, value FROM observations WHERE indicator_id = ? "
                        "AND value_status <> 'not_reported' ORDER BY fiscal_year", [indicator_id])


def store_indicators(deck_db, where: str = "TRUE", params: list | None = None) -> list[tuple]:
    return raw(
        deck_db,
        "SELECT i.indicator_id, i.indicator, i.unit, i.measure_id, i.source_line, c.summary "
        "FROM indicators i JOIN measures m USING (municipality, measure_id) "
        "JOIN indicator_changes c USING (municipality, indicator_id) "
        f"WHERE {where} ORDER BY m.policy_no, i.measure_id, i.ord",
        params,
    )


FILTERS = [
    ({"pol": [3]}, "m.policy_no = 3"),
    ({}, "TRUE"),
    ({"refl": ["A"]}, "m.reflection = 'A'"),
    ({"pol": [1, 3], "refl": ["B"]}, "m.policy_no IN (1, 3) AND m.reflection = 'B'"),
    ({"measures": ["1110321", "1110213"]}, "m.measure_id IN ('1110321', '1110213')"),
]


@pytest.mark.parametrize("filters,where", FILTERS)
def test_one_slide_per_indicator_after_the_title(con, deck_db, filters, where):
    expected = store_indicators(deck_db, where)
    prs = open_deck(build_deck(con, filters))
    assert len(prs.slides) == 1 + len(expected)
    titles = [s.shapes.title.text for s in list(prs.slides)[1:]]
    assert titles == [f"{name}（{unit}）" for _, name, unit, *_ in expected]


def test_sixteen_by_nine(con):
    prs = open_deck(build_deck(con, {"pol": [3]}))
    assert abs(prs.slide_width / prs.slide_height - 16 / 9) < 0.01


def test_every_series_value_is_the_stores_value(con, deck_db):
    expected = store_indicators(deck_db)
    prs = open_deck(build_deck(con, {}))
    for slide, (iid, name, unit, *_rest) in zip(list(prs.slides)[1:], expected, strict=True):
        (chart,) = charts(slide)
        assert chart.chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED
        (series,) = chart.plots[0].series
        want = store_series(deck_db, iid)
        assert list(chart.plots[0].categories) == [label for label, _ in want]
        assert list(series.values) == [v for _, v in want], name
        # The chart's own workbook (what PowerPoint edits) holds the same numbers.
        ws = openpyxl.load_workbook(io.BytesIO(chart.part.chart_workbook.xlsx_part.blob)).active
        cells = [row[1] for row in ws.iter_rows(min_row=2, max_row=1 + len(want), values_only=True)]
        assert cells == [v for _, v in want], name


def test_women_talent_bank_shows_47_and_68_for_policy_3(con):
    prs = open_deck(build_deck(con, {"pol": [3]}))
    (slide,) = [s for s in prs.slides if s.shapes.title and s.shapes.title.text == "女性人材バンク登録者数（人）"]
    (chart,) = charts(slide)
    assert list(chart.plots[0].categories) == ["H30年度", "R1年度"]
    assert list(chart.plots[0].series[0].values) == [47.0, 68.0]
    (table,) = tables(slide)
    rows = [[c.text for c in r.cells] for r in table.rows]
    assert rows == [["年度", "値", "単位", "状態"], ["H30年度", "47", "人", "報告値"], ["R1年度", "68", "人", "報告値"]]
    text = "\n".join(slide_texts(slide))
    assert "女性人材バンク登録者数は、H30年度の47人からR1年度の68人へ21人増加（+44.7%）しました。" in text
    assert "運営方針03 男女平等参画の推進" in text
    assert "施策番号 1110321" in text


def test_no_value_is_a_gap_never_zero(con, deck_db):
    prs = open_deck(build_deck(con, {"measures": ["1110311"]}))
    (chart,) = charts(prs.slides[1])
    statuses = raw(deck_db, "SELECT DISTINCT value_status FROM observations o JOIN indicators i "
                            "USING (municipality, indicator_id) WHERE i.measure_id = '1110311'")
    assert statuses == [("no_value",)]
    assert list(chart.plots[0].series[0].values) == [None, None]
    assert not chart._chartSpace.xpath(".//c:val//c:pt")  # no point written at all, so no zero
    assert chart._chartSpace.xpath("string(.//c:dispBlanksAs/@val)") == "gap"
    text = "\n".join(slide_texts(prs.slides[1]))
    assert "値なし" in text and "数値の報告がありません" in text


def test_titles_summaries_and_source_lines_come_from_the_store(con, deck_db):
    expected = store_indicators(deck_db, "m.policy_no = 3")
    prs = open_deck(build_deck(con, {"pol": [3]}))
    for slide, (_iid, name, unit, measure_id, line, summary) in zip(list(prs.slides)[1:], expected, strict=True):
        assert slide.shapes.title.text == f"{name}（{unit}）"
        text = slide_texts(slide)
        assert f"出典: 苫小牧市 施策評価表 R1年度（tomakomai_R1.txt {line}行）" in text
        assert any(summary in t for t in text)
        assert any(f"施策番号 {measure_id}" in t for t in text)


def test_title_slide_names_the_place_year_filters_and_date(con):
    prs = open_deck(build_deck(con, {"pol": [3], "refl": ["B"]}))
    title = prs.slides[0]
    assert title.shapes.title.text == "施策評価"
    text = "\n".join(slide_texts(title))
    assert "苫小牧市" in text and "R1年度" in text
    assert "運営方針03 男女平等参画の推進" in text
    assert "反映区分 B" in text
    t = date.today()
    assert f"{t.year}年{t.month}月{t.day}日" in text
    custom = open_deck(build_deck(con, {"pol": [3]}, title="男女平等参画 報告"))
    assert custom.slides[0].shapes.title.text == "男女平等参画 報告"


def _rpr_fonts(rpr) -> tuple[str | None, str | None]:
    if rpr is None:
        return None, None
    latin, ea = rpr.find(qn("a:latin")), rpr.find(qn("a:ea"))
    return (latin.get("typeface") if latin is not None else None, ea.get("typeface") if ea is not None else None)


@pytest.mark.parametrize("per", ["indicator", "measure"])
def test_every_run_has_the_japanese_font_latin_and_east_asian(con, per):
    prs = open_deck(build_deck(con, {}, per=per))
    runs = 0
    for slide in prs.slides:
        parts = [slide._element] + ([slide.notes_slide._element] if slide.has_notes_slide else [])
        for el in parts:
            for r in el.iter(qn("a:r")):
                runs += 1
                assert _rpr_fonts(r.find(qn("a:rPr"))) == (FONT, FONT), r.findtext(qn("a:t"))
        for chart in charts(slide):
            space = chart._chartSpace
            # The chart-wide text properties, and every other text property block in the chart.
            assert _rpr_fonts(space.find(qn("c:txPr")).find(".//" + qn("a:defRPr"))) == (FONT, FONT)
            for rpr in space.iter(qn("a:defRPr"), qn("a:rPr")):
                assert _rpr_fonts(rpr) == (FONT, FONT)
    assert runs > 10 * len(prs.slides)
    part = prs.slide_master.part.part_related_by(RT.THEME)
    assert f'<a:ea typeface="{FONT}"/>' in part.blob.decode("utf-8")


def test_per_measure_one_slide_per_measure_with_charts_by_unit(con, deck_db):
    measures = raw(deck_db, "SELECT measure_id FROM measures WHERE policy_no = 2 ORDER BY measure_id")
    prs = open_deck(build_deck(con, {"pol": [2]}, per="measure"))
    assert len(prs.slides) == 1 + len(measures)
    for slide, (measure_id,) in zip(list(prs.slides)[1:], measures, strict=True):
        assert slide.shapes.title.text.startswith(f"施策番号 {measure_id}")
        inds = raw(deck_db, "SELECT indicator_id, indicator, unit FROM indicators WHERE measure_id = ? ORDER BY ord",
                   [measure_id])
        units = list(dict.fromkeys(u for _, _, u in inds))
        got = charts(slide)
        assert len(got) == len(units)
        seen = {}
        for chart, unit in zip(got, units):
            assert chart.chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED
            names = [s.name for s in chart.plots[0].series]
            assert names == [name for _, name, u in inds if u == unit]
            cats = list(chart.plots[0].categories)
            for s in chart.plots[0].series:
                seen[s.name] = dict(zip(cats, s.values))
        for iid, name, _unit in inds:
            want = dict(store_series(deck_db, iid))
            assert {k: v for k, v in seen[name].items() if k in want} == want
        assert any("出典: 苫小牧市 施策評価表 R1年度（tomakomai_R1.txt" in t for t in slide_texts(slide))


def test_nothing_matches_raises(con):
    with pytest.raises(EmptySelection):
        build_deck(con, {"pol": [99]})
    with pytest.raises(ValueError):
        build_deck(con, {"pol": [3]}, per="policy")


def test_deck_from_store_counts_slides_and_writes_nothing_for_no_match(deck_db, tmp_path):
    out = tmp_path / "d.pptx"
    assert deck_from_store(deck_db, out, [3], [], ["b"]) == 8
    assert len(Presentation(str(out)).slides) == 8
    none = tmp_path / "none.pptx"
    assert deck_from_store(deck_db, none, [3], [], ["A"]) == 0
    assert not none.exists()
    assert not list(tmp_path.glob(".*tmp"))


def _cli(deck_db: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "EVALDASH_DB": str(deck_db)}
    return subprocess.run([sys.executable, "-m", "evaldash", "deck", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_cli_writes_the_policy_3_deck(deck_db, tmp_path):
    out = tmp_path / "x.pptx"
    done = _cli(deck_db, "--policy", "3", "--out", str(out))
    assert done.returncode == 0, done.stderr
    prs = Presentation(str(out))
    assert len(prs.slides) == 1 + 7
    values = [list(c.plots[0].series[0].values) for s in prs.slides for c in charts(s)]
    assert [47.0, 68.0] in values


def test_cli_measure_and_reflection_filters(deck_db, tmp_path):
    out = tmp_path / "m.pptx"
    done = _cli(deck_db, "--measure", "1110321", "--measure", "1110322", "--reflection", "B", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert len(Presentation(str(out)).slides) == 1 + 4


def test_cli_per_measure_with_a_title(deck_db, tmp_path):
    out = tmp_path / "per_measure.pptx"
    done = _cli(deck_db, "--policy", "3", "--per", "measure", "--title", "男女平等参画の推進", "--out", str(out))
    assert done.returncode == 0, done.stderr
    prs = Presentation(str(out))
    assert len(prs.slides) == 1 + 5  # 運営方針03 has 5 measures
    first = " ".join(sh.text_frame.text for sh in prs.slides[0].shapes if sh.has_text_frame)
    assert "男女平等参画の推進" in first


def test_cli_exits_1_without_a_file_when_nothing_matches(deck_db, tmp_path):
    out = tmp_path / "empty.pptx"
    done = _cli(deck_db, "--policy", "3", "--reflection", "A", "--out", str(out))
    assert done.returncode == 1
    assert "条件に合う指標がないため" in done.stderr
    assert not out.exists()


@pytest.mark.parametrize("per", ["indicator", "measure"])
def test_every_shape_stays_on_the_slide(con, per):
    prs = open_deck(build_deck(con, {}, per=per))
    for number, slide in enumerate(prs.slides, start=1):
        for shape in slide.shapes:
            assert shape.left >= 0 and shape.top >= 0, (number, shape.name)
            assert shape.left + shape.width <= prs.slide_width, (number, shape.name)
            assert shape.top + shape.height <= prs.slide_height, (number, shape.name)


def test_a_limit_keeps_the_first_indicators_of_the_report_order(con, deck_db):
    # The dashboard caps 変化's deck (a national store with no filter has 510,000 indicators); the CLI does not.
    expected = store_indicators(deck_db)
    prs = open_deck(build_deck(con, {"limit": 3}))
    assert [s.shapes.title.text for s in list(prs.slides)[1:]] == [f"{n}（{u}）" for _, n, u, *_ in expected[:3]]


# -- readable when projected: sizes, typeface, the 変化 deck's ranking, file names ---------------------------

def _sizes(element) -> list[float]:
    """Every font size (pt) written on a run, a paragraph default or an end-of-paragraph mark below `element`."""
    tags = {qn("a:rPr"), qn("a:defRPr"), qn("a:endParaRPr")}
    return [int(e.get("sz")) / 100 for e in element.iter() if e.tag in tags and e.get("sz") is not None]


@pytest.mark.parametrize("per, ranking", [("indicator", False), ("measure", False), ("indicator", True)])
def test_titles_at_least_28_pt_body_text_at_least_18(con, per, ranking):
    prs = open_deck(build_deck(con, {}, per=per, ranking=ranking))
    footer_top = prs.slide_height - Inches(0.7)
    seen_body = 0
    for number, slide in enumerate(prs.slides, start=1):
        title = slide.shapes.title
        assert min(_sizes(title._element)) >= 28, (number, title.text)
        for shape in slide.shapes:
            if shape == title or shape.has_chart or not "".join(slide_texts_of(shape)).strip():
                continue  # the title, charts (below) and the shapes that only draw (bands, rules)
            least = 12 if shape.top >= footer_top else 18  # the footer's source line and page number
            sizes = _sizes(shape._element)
            assert sizes and min(sizes) >= least, (number, shape.name, sizes)
            seen_body += least == 18
        for chart in charts(slide):
            assert min(_sizes(chart._chartSpace)) >= 14, number
    assert seen_body > len(prs.slides)


def test_the_deck_typeface_is_biz_udp_gothic_and_installed_here():
    assert FONT == "BIZ UDPゴシック"
    listed = subprocess.run(["fc-list", f":family={FONT}", "family"], capture_output=True, text=True).stdout
    assert FONT in listed  # scripts/test.sh installs fonts-morisawa-bizud-gothic


def test_the_changes_deck_opens_with_a_ranking_of_the_store_changes(con, deck_db):
    prs = open_deck(build_deck(con, {"pol": [3]}, ranking=True))
    ranking = prs.slides[1]
    assert ranking.shapes.title.text == "増減率の順位"
    [chart] = charts(ranking)
    assert chart.chart_type == XL_CHART_TYPE.BAR_CLUSTERED
    expected = raw(deck_db, "SELECT i.indicator, c.delta_pct FROM indicator_changes c JOIN indicators i "
                            "USING (municipality, indicator_id) JOIN measures m USING (municipality, measure_id) "
                            "WHERE m.policy_no = 3 AND c.delta_pct IS NOT NULL ORDER BY c.delta_pct DESC")
    assert list(chart.plots[0].categories) == [name for name, _ in expected][:10]
    # The rate as shown everywhere: rounded once, half up, to one decimal (summary.round_half_up).
    assert list(chart.plots[0].series[0].values) == [round_half_up(pct, 1) for _, pct in expected][:10]
    assert chart.category_axis.reverse_order  # the largest rise at the top
    total = len(store_indicators(deck_db, "m.policy_no = 3"))
    assert len(prs.slides) == 2 + total
    left_out = total - len(expected)
    texts = " ".join(slide_texts(ranking))
    assert (f"増減率のない指標 {left_out} 件" in texts) == (left_out > 0)


def test_a_changes_deck_with_no_rate_to_rank_says_so_instead_of_a_chart(con, deck_db):
    """An indicator with one year of values (or a previous year of 0) has no 増減率: the 変化 page can show only
    such indicators (a search for one), and its deck still opens with the ranking slide."""
    unranked = raw(deck_db, "SELECT i.indicator_id FROM indicator_changes c JOIN indicators i "
                            "USING (municipality, indicator_id) WHERE c.delta_pct IS NULL")
    assert unranked  # the bundled report has such indicators
    prs = open_deck(build_deck(con, {"indicators": [iid for (iid,) in unranked]}, ranking=True))
    ranking = prs.slides[1]
    assert ranking.shapes.title.text == "増減率の順位" and not charts(ranking)
    texts = " ".join(slide_texts(ranking))
    assert "順位をつけられる増減率がありません" in texts and f"増減率のない指標 {len(unranked)} 件" in texts
    assert len(prs.slides) == 2 + len(unranked)


def deck_file_name(con, filters: dict, kind: str) -> str:
    """The name a page gives its deck (ui.download_name) for this filter."""
    muni, pol = filters.get("muni", []), filters.get("pol", [])
    return selection_file_name(sql.run(con, "source_labels", {"muni": muni}), kind, tuple(muni), tuple(pol))


def test_deck_file_names_come_from_the_selection(con, deck_db):
    (latest,) = raw(deck_db, "SELECT report_label FROM reports ORDER BY report_year DESC LIMIT 1")[0]
    assert deck_file_name(con, {"pol": [3]}, "推移") == f"施策評価_推移_運営方針03_{latest}.pptx"
    assert deck_file_name(con, {"pol": [3, 1]}, "変化") == f"施策評価_変化_運営方針01・03_{latest}.pptx"
    assert deck_file_name(con, {"muni": ["苫小牧市"]}, "変化") == f"施策評価_変化_苫小牧市_{latest}.pptx"
    assert deck_file_name(con, {"muni": ["a/b:c"]}, "推移") == "施策評価_推移_a_b_c.pptx"  # no such city, no year


def test_a_slides_list_of_changes_runs_from_the_largest_change():
    from evaldash.export.deck.selection import Item
    from evaldash.export.deck.slides import _change_lines

    items = [Item({"indicator": name, "summary": f"{name}の文", "delta_pct": pct, "note": None})
             for name, pct in [("小", 2.0), ("なし", None), ("大", -75.0), ("中", 44.7)]]
    assert _change_lines(items) == ["大の文", "中の文", "小の文", "なしの文"]

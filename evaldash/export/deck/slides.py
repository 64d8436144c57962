"""The slides of a deck: the title slide, one slide per indicator, one slide per measure."""

from __future__ import annotations

import io
import math
import os
from datetime import date
from itertools import groupby
from pathlib import Path

import duckdb

from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Inches, Pt

from ...filters import policy_label
from ...normalize import clean
from ...summary import decimals_of, fmt_number, fmt_pct, round_half_up
from .selection import EmptySelection, Item, Point, describe_filters, load_items, source_text
from .shapes import (
    BLUE, BODY_PT, GREY, INK, MARGIN, NAVY, SLIDE_H, SLIDE_W, TITLE_PT, add_bar_ranking, add_chart, add_table,
    fit_size, footer, new_presentation, no_data_note, notes, panel, place_title, rectangle, row_heights, rule,
    text_height, textbox, write,
)

PER_CHOICES = ("indicator", "measure")
RANKING_TOP = 10  # bars on the ranking slide: more do not read at BODY_PT
STATUS_LABELS = {"reported": "報告値", "no_value": "値なし", "invalid": "判読不能", "not_reported": "報告なし"}


def _measure_path(row: dict, multi_muni: bool) -> str:
    """An indicator slide's subtitle: (the city,) 運営方針, 主な取組 and 施策番号 with its 反映区分."""
    parts = ([row["municipality"]] if multi_muni else []) + [policy_label(row["policy_no"], row["policy_name"])]
    if row.get("initiative_name"):
        no = row.get("initiative_no")
        parts.append(f"{no} {row['initiative_name']}" if no is not None else row["initiative_name"])
    refl = f"（反映区分 {row['reflection']}）" if row.get("reflection") else ""
    parts.append(f"施策番号 {row['measure_id']}{refl}")
    return " ／ ".join(parts)


def indicator_slide(prs, item: Item, categories_all: list[tuple[int, str]], multi_muni: bool) -> None:
    unit = item.row.get("unit") or ""
    title = f"{item.row['indicator']}（{unit}）" if unit else item.row["indicator"]
    slide, top = _slide(prs, title, _measure_path(item.row, multi_muni))
    points = item.points or [Point(fy, label, None, "not_reported") for fy, label in categories_all]
    chart_left, chart_top = MARGIN, top + Inches(0.15)
    chart_w, chart_h = Inches(6.8), SLIDE_H - chart_top - Inches(0.85)
    add_chart(slide, chart_left, chart_top, chart_w, chart_h, [p.label for p in points],
              [(item.row["indicator"], [p.value for p in points])], unit, item.decimals, legend=False,
              highlight_last=True)
    if all(p.value is None for p in points):
        no_data_note(slide, chart_left, chart_top, chart_w, chart_h, [item.row.get("note") or ""])

    right = chart_left + chart_w + Inches(0.35)
    right_w = SLIDE_W - MARGIN - right
    rows = [[p.label, fmt_number(p.value, item.decimals), unit, STATUS_LABELS.get(p.status, p.status)]
            for p in item.points] or [["－", "－", unit, "報告なし"]]
    widths = [Inches(1.3), Inches(1.6), Inches(0.9)]
    widths.append(right_w - sum(widths))
    table = add_table(slide, right, chart_top, widths, ["年度", "値", "単位", "状態"], rows, BODY_PT,
                      aligns=[PP_ALIGN.CENTER, PP_ALIGN.RIGHT, PP_ALIGN.CENTER, PP_ALIGN.CENTER])
    panel_top = chart_top + table.height + Inches(0.25)
    bottom = SLIDE_H - Inches(0.85)
    panel(slide, right, panel_top, right_w, bottom - panel_top, "前年度からの変化", _change_lines([item]))


def _change_lines(items: list[Item]) -> list[str]:
    """The change sentences, largest |増減率| first (those with none last), then each indicator's 備考: a slide's
    panel, and its notes in full."""
    def size(it: Item) -> float:
        pct = it.row.get("delta_pct")  # NaN is None already (load_items, through plain_values)
        return -1.0 if pct is None else abs(pct)

    lines = [it.row["summary"] for it in sorted(items, key=size, reverse=True)]  # indicator_changes.summary
    many = len(items) > 1
    return lines + [f"備考（{it.row['indicator']}）: {it.row['note']}" if many else f"備考: {it.row['note']}"
                    for it in items if it.row.get("note")]


def _slide(prs, title: str, subtitle: str):
    """A new slide with its title, a grey subtitle (one or two lines) and a rule under them; and where the
    content below may start."""
    slide = prs.slides.add_slide(prs.slide_layouts[5])  # Title Only: a real title (outline, accessibility)
    place_title(slide, title)
    width = SLIDE_W - 2 * MARGIN
    height = text_height([subtitle], width, BODY_PT, spacing=1.25)
    textbox(slide, MARGIN, Inches(1.2), width, height, subtitle, BODY_PT, color=GREY)
    rule(slide, Inches(1.25) + height)
    return slide, Inches(1.35) + height


def _measure_heading(row: dict, multi_muni: bool) -> tuple[str, str]:
    """A measure slide's title (施策番号 and 主な取組) and subtitle (運営方針, 反映区分, departments)."""
    title = f"施策番号 {row['measure_id']}　{row.get('initiative_name') or ''}".strip()
    if multi_muni:
        title = f"{row['municipality']}　{title}"
    parts = [policy_label(row["policy_no"], row["policy_name"])]
    if row.get("reflection"):
        label = f"（{row['reflection_label']}）" if row.get("reflection_label") else ""
        parts.append(f"反映区分 {row['reflection']}{label}")
    if row.get("departments"):
        parts.append(row["departments"])
    return title, " ／ ".join(parts)


def measure_slide(prs, items: list[Item], multi_muni: bool) -> None:
    row = items[0].row
    slide, top = _slide(prs, *_measure_heading(row, multi_muni))
    purpose = row.get("purpose") or ""
    full_w = SLIDE_W - 2 * MARGIN
    if purpose:
        height = text_height([purpose], full_w, BODY_PT, spacing=1.25)
        textbox(slide, MARGIN, top, full_w, height, purpose, BODY_PT, color=INK)
        top += height + Inches(0.1)

    years = sorted({(p.fiscal_year, p.label) for it in items for p in it.points})
    by_unit: dict[str, list[Item]] = {}
    for it in items:
        by_unit.setdefault(it.row.get("unit") or "", []).append(it)

    # Charts on the left; on the right the sentences, then the values table where it fits at BODY_PT (the
    # charts' labels and the notes carry the values too).
    bottom = SLIDE_H - Inches(0.8)
    right_w, gap = Inches(5.4), Inches(0.35)
    right = MARGIN + full_w - right_w
    _chart_grid(slide, (MARGIN, top, full_w - right_w - gap, bottom - top), by_unit, years)
    box = panel(slide, right, top, right_w, bottom - top, "前年度からの変化", _change_lines(items))
    unit_w, year_w = Inches(0.9), Inches(1.3)
    widths = [right_w - unit_w - year_w * len(years), unit_w] + [year_w] * len(years)
    # Per indicator its name, unit and a value per year (－ where none).
    table = [["指標", "単位"] + [label for _, label in years]] + [
        [it.row["indicator"], it.row.get("unit") or ""] + [fmt_number(v, it.decimals) for v in it.values_in(years)]
        for it in items]
    table_top = box.top + box.height + Inches(0.2)
    if widths[0] >= Inches(1.9) and table_top + sum(row_heights(widths, table, BODY_PT)) <= bottom:
        add_table(slide, right, table_top, widths, table[0], table[1:], BODY_PT,
                  aligns=[PP_ALIGN.LEFT, PP_ALIGN.CENTER] + [PP_ALIGN.RIGHT] * len(years))


def _chart_grid(slide, box, by_unit: dict[str, list[Item]], years: list[tuple[int, str]]) -> None:
    """One chart per unit, side by side in the box (two rows when there are more than three)."""
    left, top, width, height = box
    categories = [label for _, label in years]
    gap = Inches(0.2)
    n = len(by_unit)
    cols = n if n <= 3 else math.ceil(n / 2)
    nrows = math.ceil(n / cols)
    cw = int((width - gap * (cols - 1)) / cols)
    ch = int((height - gap * (nrows - 1)) / nrows)
    for k, (unit, group) in enumerate(by_unit.items()):
        series = [(it.row["indicator"], it.values_in(years) if years else [None]) for it in group]
        decimals = decimals_of(*[v for _, vs in series for v in vs])
        x = left + (cw + gap) * (k % cols)
        y = top + (ch + gap) * (k // cols)
        add_chart(slide, x, y, cw, ch, categories or ["－"], series, unit, decimals, legend=True,
                  title=f"単位: {unit}" if (n > 1 and unit) else None)
        if all(v is None for _, vs in series for v in vs):
            no_data_note(slide, x, y, cw, ch, [it.row.get("note") or "" for it in group])


def title_slide(prs, con, filters, heading: str, items: list[Item], today: date) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[0])
    munis = list(dict.fromkeys(it.row["municipality"] for it in items))
    labels = sorted({(it.row.get("report_year") or 0, it.row.get("report_label") or "") for it in items})
    year_text = "・".join(dict.fromkeys(label for _, label in labels if label))
    rectangle(slide, 0, 0, Inches(0.32), SLIDE_H, NAVY)  # the band down the left edge

    t = slide.shapes.title
    t.left, t.top, t.width, t.height = Inches(1.0), Inches(1.55), SLIDE_W - Inches(2.0), Inches(1.2)
    t.text_frame.word_wrap = True
    t.text_frame.vertical_anchor = MSO_ANCHOR.BOTTOM
    write(t.text_frame, heading, fit_size(heading, t.width, 44, TITLE_PT), bold=True, color=NAVY)
    sub = slide.placeholders[1]
    sub.left, sub.top, sub.width, sub.height = Inches(1.0), Inches(2.85), SLIDE_W - Inches(2.0), Inches(0.7)
    subtitle = "　".join(x for x in ["・".join(munis), year_text] if x)
    write(sub.text_frame, subtitle, 26, color=INK)
    rule(slide, Inches(3.7), left=Inches(1.05), width=Inches(3.0), color=BLUE, weight=Pt(3))

    words = describe_filters(con, filters)
    measures = len({(it.row["municipality"], it.row["measure_id"]) for it in items})
    scope = f"施策 {measures}件・指標 {len(items)}件"
    textbox(slide, Inches(1.0), Inches(3.95), SLIDE_W - Inches(2.0), Inches(1.7), ["対象: " + words[0]] + [
        "　　　" + w for w in words[1:]] + [scope], BODY_PT, color=INK, space_after=6)
    sources = [s for it in items for s in it.sources]
    made = f"作成日 {today.year}年{today.month}月{today.day}日"
    textbox(slide, Inches(1.0), SLIDE_H - Inches(1.45), SLIDE_W - Inches(2.0), Inches(1.0),
            [made, source_text(sources, with_lines=False)], BODY_PT, color=GREY, space_after=2)
    notes(slide, [subtitle, *words, scope, made, source_text(sources)])


def ranking_slide(prs, items: list[Item]) -> None:
    """増減率の順位: the indicators with a change in per cent, largest rise first, as a native bar chart;
    the ones without (one year of values, or from 0) counted under it."""
    ranked = sorted((it for it in items if it.row.get("delta_pct") is not None),
                    key=lambda it: it.row["delta_pct"], reverse=True)
    shown = ranked[:RANKING_TOP]
    left_out = len(items) - len(ranked)
    subtitle = f"前年度からの増減率（%）、増加の大きい順に {len(shown)} 件" + (
        f"（全 {len(ranked)} 件のうち）" if len(ranked) > len(shown) else "")
    slide, top = _slide(prs, "増減率の順位", subtitle)
    bottom = SLIDE_H - Inches(0.85) - (Inches(0.5) if left_out else 0)
    if shown:  # a chart needs a category: with none, the slide says so in words
        add_bar_ranking(slide, MARGIN, top + Inches(0.1), SLIDE_W - 2 * MARGIN, bottom - top - Inches(0.1),
                        [it.row["indicator"] for it in shown], [round_half_up(it.row["delta_pct"], 1) for it in shown])
    else:
        textbox(slide, MARGIN, top + Inches(0.1), SLIDE_W - 2 * MARGIN, Inches(0.6),
                "選んだ指標には、順位をつけられる増減率がありません。", BODY_PT, color=INK)
    if left_out:
        textbox(slide, MARGIN, bottom, SLIDE_W - 2 * MARGIN, Inches(0.45),
                f"増減率のない指標 {left_out} 件（値が1年分だけ、または前年度が0）は順位に入れていません",
                BODY_PT, color=GREY)


def build_deck(con: duckdb.DuckDBPyConnection, filters: dict, title: str | None = None,
               per: str = "indicator", ranking: bool = False) -> bytes:
    """A 16:9 .pptx of the selection (`filters` as selection.query_params reads them): title slide, with `ranking`
    the 増減率 ranking (the 変化 page's deck), then one slide per indicator or per measure. Raises EmptySelection
    when no indicator matches."""
    buf = io.BytesIO()
    _presentation(con, filters, title, per, ranking).save(buf)
    return buf.getvalue()


def _presentation(con, filters, title, per, ranking: bool):
    if per not in PER_CHOICES:
        raise ValueError(f"per must be one of {', '.join(PER_CHOICES)}, not {per!r}")
    items = load_items(con, filters)
    if not items:
        raise EmptySelection("no indicator matches the filters")
    multi_muni = len({it.row["municipality"] for it in items}) > 1
    heading = title or "施策評価"
    prs = new_presentation(heading)
    title_slide(prs, con, filters, heading, items, date.today())
    if per == "indicator":
        groups = [[it] for it in items]
    else:  # export_indicators orders by measure: a measure's indicators come one after another
        groups = [list(g) for _, g in groupby(items, key=lambda it: (it.row["municipality"], it.row["measure_id"]))]
    all_years = sorted({(p.fiscal_year, p.label) for it in items for p in it.points})
    first = 2 + ranking
    total = len(groups) + first - 1
    if ranking:
        ranking_slide(prs, items)
        source = source_text([s for it in items for s in it.sources], with_lines=False)
        footer(prs.slides[-1], source, 2, total)
        notes(prs.slides[-1], [f"{it.row['indicator']}: {fmt_pct(it.row.get('delta_pct'))}" for it in items] + [source])
    for k, group in enumerate(groups, start=first):
        if per == "indicator":
            indicator_slide(prs, group[0], all_years, multi_muni)
        else:
            measure_slide(prs, group, multi_muni)
        slide = prs.slides[-1]
        source = source_text([s for it in group for s in it.sources])
        footer(slide, source, k, total)
        about = [x for it in group for x in (it.row.get("purpose"), it.row.get("departments") and
                                              f"担当: {it.row['departments']}") if x]
        notes(slide, _change_lines(group) + list(dict.fromkeys(about)) + [source])
    return prs


def deck_from_store(db: Path, out: Path, policies: list[int], measures: list[str], reflections: list[str],
                    per: str = "indicator", title: str | None = None) -> int:
    """Write the deck for these filters to `out`; the number of slides, 0 (and no file) when nothing matches."""
    from ...store import connect_readonly

    filters = {
        "pol": policies,
        "measures": [clean(m) for m in measures],
        "refl": [clean(r).upper() for r in reflections],
    }
    with connect_readonly(db) as con:
        try:
            prs = _presentation(con, filters, title, per, ranking=False)
        except EmptySelection:
            return 0
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        prs.save(tmp)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return len(prs.slides)

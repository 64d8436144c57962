"""PowerPoint deck of a selection: a title slide, then one slide per indicator or per measure.

Every chart is a native PowerPoint chart (its numbers are editable in PowerPoint,
not a picture), every number comes from the store through the named queries,
and every piece of text carries one Japanese font for both the latin and the
east-asian script, so Japanese never falls back to a random font.

Used by the dashboard's download button (`build_deck`) and by
`python -m evaldash deck` (`deck_from_store`).
"""

from __future__ import annotations

import io
import math
import os
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
from lxml import etree
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_TICK_LABEL_POSITION
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from .. import sql
from ..normalize import clean
from ..summary import change_sentence, decimals_of, fmt_number

# Set as both the latin and the east-asian typeface of every run, the chart text
# and the theme. PowerPoint substitutes its own Japanese font where it is missing.
FONT = "Noto Sans CJK JP"
LANG = "ja-JP"

SLIDE_W = Inches(13.333)
SLIDE_H = Inches(7.5)
MARGIN = Inches(0.55)

NAVY = RGBColor(0x1F, 0x3A, 0x5F)
BLUE = RGBColor(0x2E, 0x6D, 0xA4)
PALE_BLUE = RGBColor(0x9F, 0xB8, 0xD3)
INK = RGBColor(0x22, 0x22, 0x22)
GREY = RGBColor(0x5F, 0x63, 0x68)
LIGHT_GREY = RGBColor(0xD9, 0xDD, 0xE2)
PANEL = RGBColor(0xEE, 0xF3, 0xF8)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
BAND = RGBColor(0xF6, 0xF8, 0xFA)
# Series colours for a measure's chart: distinct, calm, readable when printed in grey.
SERIES_COLORS = [BLUE, RGBColor(0xE0, 0x8A, 0x2E), RGBColor(0x4E, 0x9A, 0x6B), RGBColor(0x8E, 0x5E, 0xA8),
                 RGBColor(0xC0, 0x50, 0x4D), RGBColor(0x5F, 0x63, 0x68)]

STATUS_LABELS = {"reported": "報告値", "no_value": "値なし", "invalid": "判読不能", "not_reported": "報告なし"}
PER_CHOICES = ("indicator", "measure")


class EmptySelection(ValueError):
    """No indicator matches the filters: there is nothing to put in a deck."""


# --- data -----------------------------------------------------------------------------------------


@dataclass
class Point:
    fiscal_year: int
    label: str
    value: float | None
    status: str


@dataclass
class Item:
    """One indicator with its values by fiscal year and where they come from."""

    row: dict
    points: list[Point] = field(default_factory=list)
    sources: list[tuple[str, str, str, int]] = field(default_factory=list)  # muni, report label, file, line

    @property
    def values(self) -> list[float | None]:
        return [p.value for p in self.points]

    @property
    def decimals(self) -> int:
        return decimals_of(*self.values)

    @property
    def title(self) -> str:
        unit = self.row.get("unit") or ""
        return f"{self.row['indicator']}（{unit}）" if unit else self.row["indicator"]

    @property
    def summary(self) -> str:
        return self.row.get("summary") or change_sentence(self.row["indicator"], self.row.get("unit") or "",
                                                          None, None)


def _plain(v):
    """pandas/numpy scalars to plain Python, missing to None."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    v = v.item() if hasattr(v, "item") else v
    return None if isinstance(v, float) and math.isnan(v) else v


def _records(frame) -> list[dict]:
    return [{k: _plain(v) for k, v in rec.items()} for rec in frame.to_dict("records")]


def query_params(filters: dict | None) -> dict:
    """The shared sidebar filter plus what only the exports take: `measures` (施策番号) and `indicators`
    (indicator ids), empty = all, and `min_abs_pct` (|Δ%| at least this, 0 = all)."""
    params = {**sql.EMPTY_FILTER, **(filters or {})}
    params["measures"] = [str(m).strip() for m in params.get("measures") or []]
    params["indicators"] = list(params.get("indicators") or [])
    params["min_abs_pct"] = float(params.get("min_abs_pct") or 0)
    return params


def load_items(con: duckdb.DuckDBPyConnection, filters: dict | None) -> list[Item]:
    """The selected indicators in report order, each with its values and sources, all from the store."""
    rows = _records(sql.run(con, "export_indicators", query_params(filters)))
    if not rows:
        return []
    items = OrderedDict((r["indicator_id"], Item(r)) for r in rows)
    series = _records(sql.run(con, "indicator_series", {"ids": list(items)}))
    for s in series:
        item = items.get(s["indicator_id"])
        if item is None:
            continue
        item.points.append(Point(int(s["fiscal_year"]), s["fiscal_label"], s["value"], s["value_status"]))
        src = (s["municipality"], s["report_label"], s["source_file"], int(s["source_line"]))
        if src not in item.sources:
            item.sources.append(src)
    for item in items.values():
        item.points.sort(key=lambda p: p.fiscal_year)
        if not item.sources and item.row.get("source_file"):
            item.sources.append((item.row["municipality"], item.row.get("report_label") or "",
                                 item.row["source_file"], int(item.row["source_line"])))
    return list(items.values())


def source_text(sources: list[tuple[str, str, str, int]]) -> str:
    """「出典: 苫小牧市 施策評価表 R1年度（tomakomai_R1.txt 256行）」, several reports joined by 、."""
    groups: OrderedDict[tuple[str, str, str], list[int]] = OrderedDict()
    for muni, label, file, line in sources:
        groups.setdefault((muni, label, file), [])
        if line not in groups[(muni, label, file)]:
            groups[(muni, label, file)].append(line)
    parts = [f"{muni} 施策評価表 {label}（{file} {'・'.join(str(n) for n in sorted(lines))}行）"
             for (muni, label, file), lines in groups.items()]
    return "出典: " + "、".join(parts) if parts else ""


def policy_label(no, name) -> str:
    return f"運営方針{int(no):02d} {name}" if no is not None else str(name or "")


def describe_filters(con: duckdb.DuckDBPyConnection, filters: dict | None) -> list[str]:
    """The filters in words, one line each: 運営方針03 男女平等参画の推進 / 反映区分 B（…）."""
    p = query_params(filters)
    lines = []
    if p["muni"]:
        lines.append("市町村 " + "・".join(p["muni"]))
    if p["pol"]:
        names = dict(sql.run(con, "policy_options", {"muni": p["muni"]})[["policy_no", "policy_name"]]
                     .itertuples(index=False, name=None))
        lines.append("、".join(policy_label(n, names.get(n, "")).strip() for n in sorted(p["pol"])))
    if p["measures"]:
        lines.append("施策番号 " + "、".join(p["measures"]))
    if p["dept"]:
        lines.append("担当部 " + "・".join(p["dept"]))
    if p["sec"]:
        lines.append("担当課 " + "・".join(p["sec"]))
    if p["refl"]:
        labels = dict(sql.run(con, "reflection_options")[["reflection", "reflection_label"]]
                      .itertuples(index=False, name=None))
        lines.append("反映区分 " + "、".join(
            f"{r}（{labels[r]}）" if labels.get(r) else r for r in sorted(p["refl"])))
    if p["q"]:
        lines.append(f"検索語「{p['q']}」")
    if p["indicators"]:
        lines.append(f"選択した指標 {len(p['indicators'])}件")
    if p["min_abs_pct"]:
        lines.append(f"増減率 {p['min_abs_pct']:g}% 以上")
    return lines or ["すべての施策"]


# --- fonts and text -------------------------------------------------------------------------------


def _set_typeface(rpr, font: str = FONT) -> None:
    """latin and east-asian typeface (and the language) on an a:rPr / a:defRPr / a:endParaRPr."""
    rpr.set("lang", LANG)
    rpr.set("altLang", "en-US")
    latin = rpr.find(qn("a:latin"))
    if latin is None:
        latin = rpr.get_or_add_latin() if hasattr(rpr, "get_or_add_latin") else etree.SubElement(rpr, qn("a:latin"))
    latin.set("typeface", font)
    ea = rpr.find(qn("a:ea"))
    if ea is None:
        ea = etree.Element(qn("a:ea"))
        latin.addnext(ea)  # schema order: latin, ea, cs, sym
    ea.set("typeface", font)


def style_font(font, size: float | None = None, bold: bool | None = None, color: RGBColor | None = None) -> None:
    """A python-pptx Font proxy (run, chart, axis, legend, data labels): Japanese font and looks."""
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if color is not None:
        font.color.rgb = color
    # python-pptx has no API for the east-asian typeface: set it on the proxy's element.
    _set_typeface(font._element)


def write(tf, lines, size: float, bold: bool = False, color: RGBColor = INK, align=PP_ALIGN.LEFT,
          space_after: float = 0, line_spacing: float | None = None) -> None:
    """Replace a text frame's text: one paragraph per line, every run with the Japanese font."""
    if isinstance(lines, str):
        lines = [lines]
    tf.clear()
    for k, line in enumerate(lines):
        para = tf.paragraphs[0] if k == 0 else tf.add_paragraph()
        para.alignment = align
        if space_after:
            para.space_after = Pt(space_after)
        if line_spacing:
            para.line_spacing = line_spacing
        run = para.add_run()
        run.text = line
        style_font(run.font, size, bold, color)
        _set_typeface(para._p.get_or_add_endParaRPr())
        for default in para._p.iter(qn("a:defRPr")):  # chart text carries paragraph defaults too
            _set_typeface(default)


def textbox(slide, left, top, width, height, lines, size, bold=False, color=INK, align=PP_ALIGN.LEFT,
            anchor=MSO_ANCHOR.TOP, **kw):
    shape = slide.shapes.add_textbox(left, top, width, height)
    tf = shape.text_frame
    tf.word_wrap = True
    tf.vertical_anchor = anchor
    tf.margin_left = tf.margin_right = Inches(0.05)
    tf.margin_top = tf.margin_bottom = Inches(0.03)
    write(tf, lines, size, bold, color, align, **kw)
    return shape


def text_ems(text: str) -> float:
    """Width of a line in ems: full-width characters 1, others about half."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WFA" else 0.55 for c in text)


def fit_size(text: str, width, max_size: float, min_size: float, lines: int = 1) -> float:
    """The largest font size (pt, in half points) at which the text fits the width in that many lines."""
    ems = max(text_ems(text), 1.0)
    width_pt = Emu(width).pt * 0.94 * lines
    size = min(max_size, width_pt / ems)
    return max(min_size, math.floor(size * 2) / 2)


# --- the presentation -----------------------------------------------------------------------------


def _new_presentation(title: str) -> Presentation:
    prs = Presentation()
    old_w = prs.slide_width
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    # The default template is 4:3: widen the master's and layouts' placeholders so a slide added
    # later in PowerPoint lands in the right place.
    scale = SLIDE_W / old_w
    for container in [prs.slide_master, *prs.slide_layouts]:
        for shape in container.placeholders:
            if shape.left is not None and shape.width is not None:
                shape.left, shape.width = int(shape.left * scale), int(shape.width * scale)
    _theme_fonts(prs)
    props = prs.core_properties
    props.title = title
    props.subject = "施策評価"
    props.author = props.last_modified_by = "施策評価ダッシュボード"
    props.language = LANG
    props.keywords = "施策評価"
    props.revision = 1
    now = datetime.now().replace(microsecond=0)
    props.created = props.modified = now
    return prs


def _theme_fonts(prs: Presentation, font: str = FONT) -> None:
    """The theme's heading and body fonts, latin and east-asian, so text typed later is Japanese too."""
    part = prs.slide_master.part.part_related_by(RT.THEME)
    root = etree.fromstring(part.blob)
    for tag in ("a:majorFont", "a:minorFont"):
        for el in root.iter(qn(tag)):
            for script in ("a:latin", "a:ea"):
                child = el.find(qn(script))
                if child is not None:
                    child.set("typeface", font)
    # The theme is a plain part in python-pptx, without an XML API: replace its bytes.
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _title_layout(prs):
    return prs.slide_layouts[5]  # Title Only: the slide keeps a real title (outline, accessibility)


def _place_title(slide, text: str, top=Inches(0.38), height=Inches(0.75), max_size=28.0):
    shape = slide.shapes.title
    shape.left, shape.top, shape.width, shape.height = MARGIN, top, SLIDE_W - 2 * MARGIN, height
    tf = shape.text_frame
    tf.word_wrap = True
    tf.vertical_anchor = MSO_ANCHOR.BOTTOM
    tf.margin_left = tf.margin_right = Inches(0.05)
    tf.margin_top = tf.margin_bottom = Inches(0.02)
    size = fit_size(text, shape.width, max_size, 18)
    write(tf, text, size, bold=True, color=NAVY)
    return shape


def _rule(slide, top, left=MARGIN, width=None, color=NAVY, weight=Pt(2.25)):
    width = width or SLIDE_W - 2 * MARGIN
    line = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, left, top, width, weight)
    line.fill.solid()
    line.fill.fore_color.rgb = color
    line.line.fill.background()
    _plain_shape(line)
    return line


def _plain_shape(shape) -> None:
    """Drop the theme style of an autoshape (its shadow and font colour); fill and line are set explicitly."""
    style = shape._element.find(qn("p:style"))
    if style is not None:
        shape._element.remove(style)


def _footer(slide, source: str, number: int, total: int) -> None:
    top = SLIDE_H - Inches(0.62)
    _rule(slide, top, color=LIGHT_GREY, weight=Pt(0.75))
    size = fit_size(source, SLIDE_W - 2 * MARGIN - Inches(1.2), 11, 8)
    textbox(slide, MARGIN, top + Inches(0.08), SLIDE_W - 2 * MARGIN - Inches(1.2), Inches(0.4), source, size,
            color=GREY, anchor=MSO_ANCHOR.MIDDLE)
    textbox(slide, SLIDE_W - MARGIN - Inches(1.1), top + Inches(0.08), Inches(1.1), Inches(0.4),
            f"{number} / {total}", 11, color=GREY, align=PP_ALIGN.RIGHT, anchor=MSO_ANCHOR.MIDDLE)


def _notes(slide, lines: list[str]) -> None:
    tf = slide.notes_slide.notes_text_frame
    write(tf, lines, 12)


def _number_format(decimals: int, unit: str | None = None) -> str:
    fmt = "#,##0" + ("." + "0" * decimals if decimals else "")
    if unit:
        # Quoted, so % is the letter and not "multiply by 100".
        fmt += '"' + unit.replace('"', "") + '"'
    return fmt


def _fill(shape_format, color: RGBColor) -> None:
    shape_format.fill.solid()
    shape_format.fill.fore_color.rgb = color


def add_chart(slide, left, top, width, height, categories: list[str], series: list[tuple[str, list]],
              unit: str, decimals: int, *, legend: bool, title: str | None = None, highlight_last: bool = False):
    """A native clustered column chart: the data sits in the chart's own workbook, editable in PowerPoint.

    Missing values stay gaps (None), never zeros.
    """
    data = CategoryChartData(number_format=_number_format(decimals))
    data.categories = categories
    for name, values in series:
        data.add_series(name, values, number_format=_number_format(decimals))
    frame = slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, left, top, width, height, data)
    chart = frame.chart
    style_font(chart.font, 13, color=INK)

    if title:
        chart.has_title = True
        write(chart.chart_title.text_frame, title, 13, bold=True, color=GREY, align=PP_ALIGN.CENTER)
    else:
        chart.has_title = False  # also marks the title deleted, so no series name shows up as one

    chart.has_legend = legend
    if legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        # Each entry fits one line of the chart's width; PowerPoint and LibreOffice then stack them.
        longest = max(text_ems(name) for name, _ in series) + 2
        style_font(chart.legend.font, max(9.0, min(12.0, math.floor(Emu(width).pt * 0.85 / longest))), color=INK)

    plot = chart.plots[0]
    plot.gap_width = 70 if len(series) == 1 else 50
    plot.overlap = 0 if len(series) == 1 else -5
    plot.vary_by_categories = False
    plot.has_data_labels = True
    # Labels as large as the room over each column allows; without the unit when that is tight.
    values = [v for _, vs in series for v in vs if v is not None]
    slot = Emu(width).pt * 0.65 / max(len(categories) * len(series), 1)
    widest = max([text_ems(fmt_number(v, decimals)) for v in values] or [1.0])
    with_unit = widest + text_ems(unit or "")
    label_size = min(14.0 if len(series) == 1 else 12.0, slot / with_unit)
    show_unit = label_size >= 9
    if not show_unit:
        label_size = min(12.0, slot / widest)
    labels = plot.data_labels
    labels.number_format = _number_format(decimals, unit if show_unit else None)
    labels.number_format_is_linked = False
    labels.position = XL_LABEL_POSITION.OUTSIDE_END
    labels.show_value = label_size >= 7
    style_font(labels.font, max(7.0, math.floor(label_size * 2) / 2), bold=True, color=INK)

    for k, s in enumerate(plot.series):
        color = SERIES_COLORS[k % len(SERIES_COLORS)]
        _fill(s.format, color)
        s.format.line.fill.background()
        s.invert_if_negative = False
        if highlight_last and len(series) == 1:
            # Earlier years pale, the latest year in full colour.
            last = max((i for i, v in enumerate(series[0][1]) if v is not None), default=None)
            for i in range(len(categories)):
                _fill(s.points[i].format, BLUE if i == last else PALE_BLUE)

    va = chart.value_axis
    va.has_major_gridlines = bool(values)
    if values:
        va.major_gridlines.format.line.color.rgb = LIGHT_GREY
        va.major_gridlines.format.line.width = Pt(0.75)
    va.format.line.fill.background()
    # Axis steps are round numbers: whole numbers get separators, fractions show as they come.
    va.tick_labels.number_format = _number_format(0) if decimals == 0 else "General"
    va.tick_labels.number_format_is_linked = False
    style_font(va.tick_labels.font, 11, color=GREY)
    if values and min(values) >= 0:
        va.minimum_scale = 0
        top_value = max(values)
        if top_value > 0:
            # Room above the tallest column for its label.
            va.maximum_scale = _nice_max(top_value * 1.15)
    elif not values:
        va.minimum_scale, va.maximum_scale = 0, 1
        va.tick_label_position = XL_TICK_LABEL_POSITION.NONE
    ca = chart.category_axis
    ca.format.line.color.rgb = GREY
    ca.has_major_gridlines = False
    per_category = Emu(width).pt * 0.8 / max(len(categories), 1)
    longest = max([text_ems(c) for c in categories] or [1.0])
    style_font(ca.tick_labels.font, max(8.0, min(13.0, math.floor(per_category / longest))), color=INK)
    return frame


def _nice_max(x: float) -> float:
    """A round axis maximum at or above x: 1, 2, 2.5, 5 times a power of ten."""
    if x <= 0:
        return 1
    power = 10 ** math.floor(math.log10(x))
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * power >= x:
            return step * power
    return 10 * power


CELL_MARGIN_X = Inches(0.08)
CELL_MARGIN_Y = Inches(0.04)


def _cell(cell, text: str, size: float, *, bold=False, color=INK, fill: RGBColor | None = None,
          align=PP_ALIGN.LEFT) -> None:
    cell.margin_left = cell.margin_right = CELL_MARGIN_X
    cell.margin_top = cell.margin_bottom = CELL_MARGIN_Y
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    write(cell.text_frame, text, size, bold=bold, color=color, align=align)
    cell.text_frame.word_wrap = True
    if fill is not None:
        cell.fill.solid()
        cell.fill.fore_color.rgb = fill


def _row_height(texts: list[str], widths: list, size: float, minimum) -> int:
    """Height of a table row whose cells wrap their text: the tallest cell, at least `minimum`."""
    lines = 1
    for text, w in zip(texts, widths):
        inner = max(Emu(w - 2 * CELL_MARGIN_X).pt, size)
        lines = max(lines, math.ceil(text_ems(text) * size / inner))
    return max(int(minimum), int(Pt(size * 1.3) * lines + 2 * CELL_MARGIN_Y))


def add_table(slide, left, top, widths: list, header: list[str], rows: list[list[str]], size: float,
              row_height=Inches(0.42), aligns: list | None = None):
    """A native table: a navy header row, then banded rows, each row as tall as its wrapped text.

    Returns the shape; its height is the sum of the rows.
    """
    aligns = aligns or [PP_ALIGN.LEFT] * len(header)
    heights = [_row_height(r, widths, size, row_height) for r in [header, *rows]]
    shape = slide.shapes.add_table(len(rows) + 1, len(header), left, top, sum(widths, Emu(0)), sum(heights))
    table = shape.table
    table.first_row = True
    table.horz_banding = False
    for k, w in enumerate(widths):
        table.columns[k].width = w
    for r, h in enumerate(heights):
        table.rows[r].height = h
    for k, text in enumerate(header):
        _cell(table.cell(0, k), text, size, bold=True, color=WHITE, fill=NAVY, align=PP_ALIGN.CENTER)
    for r, row in enumerate(rows, start=1):
        for k, text in enumerate(row):
            _cell(table.cell(r, k), text, size, fill=WHITE if r % 2 else BAND, align=aligns[k])
    return shape


def _text_height(lines: list[str], width, size: float, spacing: float = 1.45) -> int:
    """Estimated height (EMU) of wrapped lines at a font size in a box of this inner width."""
    # Conservative: renderers add space between Japanese and latin letters.
    per_line = max(Emu(width).pt * 0.92 / size, 1.0)
    count = sum(max(1, math.ceil(text_ems(x) / per_line)) for x in lines)
    return int(Pt(size * spacing) * count + Pt(4) * len(lines))


def _panel(slide, left, top, width, max_height, heading: str, lines: list[str], max_size: float = 16,
           min_size: float = 10):
    """A tinted box with a small heading and text, as large as fits, as tall as its text."""
    pad_x, pad_y = Inches(0.18), Inches(0.12)
    inner = width - 2 * pad_x
    size = max_size
    while size > min_size and Pt(18) + _text_height(lines, inner, size) + 2 * pad_y > max_height:
        size -= 1
    height = min(max_height, Pt(18) + _text_height(lines, inner, size) + 2 * pad_y + Inches(0.1))
    box = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, left, top, width, int(height))
    _fill(box, PANEL)
    box.line.fill.background()
    _plain_shape(box)
    tf = box.text_frame
    tf.word_wrap = True
    tf.vertical_anchor = MSO_ANCHOR.TOP
    tf.margin_left = tf.margin_right = pad_x
    tf.margin_top = tf.margin_bottom = pad_y
    write(tf, [heading] + lines, size, color=INK, space_after=4, line_spacing=1.1)
    first = tf.paragraphs[0].runs[0]
    style_font(first.font, 12, bold=True, color=NAVY)
    return box


def _no_data_note(slide, left, top, width, height, notes: list[str]) -> None:
    """Over an empty chart: say that the report gives no number, and why when it says."""
    lines = ["数値の報告がありません"] + [n for n in notes if n]
    textbox(slide, left + width // 10, top + height // 2 - Inches(0.5), width * 8 // 10, Inches(1.0), lines,
            fit_size(max(lines, key=text_ems), width * 8 // 10, 16, 10), color=GREY, align=PP_ALIGN.CENTER,
            anchor=MSO_ANCHOR.MIDDLE)


def _measure_path(row: dict, multi_muni: bool) -> str:
    parts = [policy_label(row["policy_no"], row["policy_name"])]
    if row.get("initiative_name"):
        no = row.get("initiative_no")
        parts.append(f"{no} {row['initiative_name']}" if no is not None else row["initiative_name"])
    refl = f"（反映区分 {row['reflection']}）" if row.get("reflection") else ""
    parts.append(f"施策番号 {row['measure_id']}{refl}")
    if multi_muni:
        parts.insert(0, row["municipality"])
    return " ／ ".join(parts)


def _indicator_slide(prs, item: Item, categories_all: list[tuple[int, str]], multi_muni: bool) -> None:
    slide = prs.slides.add_slide(_title_layout(prs))
    _place_title(slide, item.title)
    subtitle = _measure_path(item.row, multi_muni)
    textbox(slide, MARGIN, Inches(1.13), SLIDE_W - 2 * MARGIN, Inches(0.4), subtitle,
            fit_size(subtitle, SLIDE_W - 2 * MARGIN, 15, 10), color=GREY)
    _rule(slide, Inches(1.58))

    unit = item.row.get("unit") or ""
    points = item.points or [Point(fy, label, None, "not_reported") for fy, label in categories_all]
    categories = [p.label for p in points]
    chart_left, chart_top = MARGIN, Inches(1.85)
    chart_w, chart_h = Inches(7.3), SLIDE_H - Inches(1.85) - Inches(0.85)
    add_chart(slide, chart_left, chart_top, chart_w, chart_h, categories, [(item.row["indicator"], item.values
              if item.points else [None] * len(points))], unit, item.decimals, legend=False,
              highlight_last=True)
    if all(p.value is None for p in points):
        _no_data_note(slide, chart_left, chart_top, chart_w, chart_h, [item.row.get("note") or ""])

    right = chart_left + chart_w + Inches(0.35)
    right_w = SLIDE_W - MARGIN - right
    rows = [[p.label, fmt_number(p.value, item.decimals), unit, STATUS_LABELS.get(p.status, p.status)]
            for p in item.points] or [["－", "－", unit, "報告なし"]]
    widths = [Inches(1.1), Inches(1.5), Inches(0.75)]
    widths.append(right_w - sum(widths, Emu(0)))
    table_top = Inches(1.95)
    row_h = Inches(0.42) if len(rows) <= 6 else Inches(0.32)
    table = add_table(slide, right, table_top, widths, ["年度", "値", "単位", "状態"], rows,
                      13 if len(rows) <= 6 else 11, row_height=row_h,
                      aligns=[PP_ALIGN.CENTER, PP_ALIGN.RIGHT, PP_ALIGN.CENTER, PP_ALIGN.CENTER])
    panel_top = table_top + table.height + Inches(0.3)
    lines = [item.summary]
    if item.row.get("note"):
        lines.append(f"備考: {item.row['note']}")
    bottom = SLIDE_H - Inches(0.85)
    panel = _panel(slide, right, panel_top, right_w, bottom - panel_top - Inches(0.1), "前年度からの変化", lines, 16)
    # The measure the indicator belongs to, in the space left below.
    about = [x for x in [item.row.get("purpose"), f"担当: {item.row['departments']}" if item.row.get("departments")
                         else None] if x]
    top = panel.top + panel.height + Inches(0.25)
    for size in (12, 11, 10):
        height = Pt(18) + _text_height(about, right_w - Inches(0.1), size)
        if about and top + height <= bottom:
            box = textbox(slide, right, top, right_w, height, ["施策の内容"] + about, size, color=GREY, space_after=3)
            style_font(box.text_frame.paragraphs[0].runs[0].font, 12, bold=True, color=NAVY)
            break


def _measure_slide(prs, items: list[Item], multi_muni: bool) -> None:
    row = items[0].row
    slide = prs.slides.add_slide(_title_layout(prs))
    title = f"施策番号 {row['measure_id']}　{row.get('initiative_name') or ''}".strip()
    if multi_muni:
        title = f"{row['municipality']}　{title}"
    _place_title(slide, title)
    parts = [policy_label(row["policy_no"], row["policy_name"])]
    if row.get("reflection"):
        label = f"（{row['reflection_label']}）" if row.get("reflection_label") else ""
        parts.append(f"反映区分 {row['reflection']}{label}")
    if row.get("departments"):
        parts.append(row["departments"])
    subtitle = " ／ ".join(parts)
    textbox(slide, MARGIN, Inches(1.13), SLIDE_W - 2 * MARGIN, Inches(0.4), subtitle,
            fit_size(subtitle, SLIDE_W - 2 * MARGIN, 15, 10), color=GREY)
    _rule(slide, Inches(1.58))
    purpose = row.get("purpose") or ""
    if purpose:
        textbox(slide, MARGIN, Inches(1.66), SLIDE_W - 2 * MARGIN, Inches(0.55), purpose,
                fit_size(purpose, SLIDE_W - 2 * MARGIN, 14, 11, lines=2 if text_ems(purpose) > 60 else 1),
                color=INK, anchor=MSO_ANCHOR.MIDDLE)

    # Years across the measure's indicators, in order.
    years = sorted({(p.fiscal_year, p.label) for it in items for p in it.points})
    categories = [label for _, label in years]
    by_unit: OrderedDict[str, list[Item]] = OrderedDict()
    for it in items:
        by_unit.setdefault(it.row.get("unit") or "", []).append(it)

    # Side layout (charts left, table and sentences right) while the table fits the right column;
    # otherwise stacked (charts across the top, table and sentences below).
    top, bottom = Inches(2.35), SLIDE_H - Inches(0.8)
    full_w = SLIDE_W - 2 * MARGIN
    gap = Inches(0.35)
    unit_w, year_w, min_name = Inches(0.62), Inches(0.9), Inches(1.9)
    side_w = Inches(4.48)
    side = side_w - unit_w - year_w * len(years) >= min_name and len(items) <= 4
    if side:
        chart_box = (MARGIN, top, full_w - side_w - gap, bottom - top)
        table_left, table_top, table_w = MARGIN + full_w - side_w, top, side_w
    else:
        chart_h = int((bottom - top) * 0.55)
        chart_box = (MARGIN, top, full_w, chart_h)
        table_left, table_top = MARGIN, top + chart_h + Inches(0.2)
        year_w = min(year_w, int((full_w * 0.62 - unit_w - min_name) / max(len(years), 1)))
        table_w = min(int(full_w * 0.62), unit_w + year_w * len(years) + Inches(3.2))
    _chart_grid(slide, chart_box, by_unit, years)

    name_w = table_w - unit_w - year_w * len(years)
    rows = []
    for it in items:
        by_year = {p.fiscal_year: p for p in it.points}
        cells = []
        for fy, _ in years:
            p = by_year.get(fy)
            cells.append("－" if p is None or p.value is None else fmt_number(p.value, it.decimals))
        rows.append([it.row["indicator"], it.row.get("unit") or ""] + cells)
    size = 11 if len(items) <= 3 else 10
    table = add_table(slide, table_left, table_top, [name_w, unit_w] + [year_w] * len(years),
                      ["指標", "単位"] + categories, rows, size,
                      row_height=Inches(0.4) if len(items) <= 3 and side else Inches(0.3),
                      aligns=[PP_ALIGN.LEFT, PP_ALIGN.CENTER] + [PP_ALIGN.RIGHT] * len(years))
    lines = [it.summary for it in items]
    lines += [f"備考（{it.row['indicator']}）: {it.row['note']}" for it in items if it.row.get("note")]
    if side:
        panel_top = table_top + table.height + Inches(0.25)
        _panel(slide, table_left, panel_top, table_w, bottom - panel_top - Inches(0.05), "前年度からの変化", lines, 14)
    else:
        left = table_left + table_w + Inches(0.3)
        _panel(slide, left, table_top, MARGIN + full_w - left, bottom - table_top - Inches(0.05),
               "前年度からの変化", lines, 13)


def _chart_grid(slide, box, by_unit: OrderedDict, years: list[tuple[int, str]]) -> None:
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
        series = []
        for it in group:
            by_year = {p.fiscal_year: p.value for p in it.points}
            series.append((it.row["indicator"], [by_year.get(fy) for fy, _ in years] if years else [None]))
        decimals = decimals_of(*[v for _, vs in series for v in vs])
        x = left + (cw + gap) * (k % cols)
        y = top + (ch + gap) * (k // cols)
        add_chart(slide, x, y, cw, ch, categories or ["－"], series, unit, decimals, legend=True,
                  title=f"単位: {unit}" if (n > 1 and unit) else None)
        if all(v is None for _, vs in series for v in vs):
            _no_data_note(slide, x, y, cw, ch, [it.row.get("note") or "" for it in group])


def _title_slide(prs, con, filters, title: str | None, items: list[Item], today: date) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[0])
    munis = list(OrderedDict.fromkeys(it.row["municipality"] for it in items))
    labels = sorted({(it.row.get("report_year") or 0, it.row.get("report_label") or "") for it in items})
    year_text = "・".join(OrderedDict.fromkeys(label for _, label in labels if label))
    heading = title or "施策評価"
    band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, Inches(0.32), SLIDE_H)
    _fill(band, NAVY)
    band.line.fill.background()
    _plain_shape(band)

    t = slide.shapes.title
    t.left, t.top, t.width, t.height = Inches(1.0), Inches(1.55), SLIDE_W - Inches(2.0), Inches(1.2)
    t.text_frame.word_wrap = True
    t.text_frame.vertical_anchor = MSO_ANCHOR.BOTTOM
    write(t.text_frame, heading, fit_size(heading, t.width, 44, 24), bold=True, color=NAVY)
    sub = slide.placeholders[1]
    sub.left, sub.top, sub.width, sub.height = Inches(1.0), Inches(2.85), SLIDE_W - Inches(2.0), Inches(0.7)
    subtitle = "　".join(x for x in ["・".join(munis), year_text] if x)
    write(sub.text_frame, subtitle, 26, color=INK)
    _rule(slide, Inches(3.7), left=Inches(1.05), width=Inches(3.0), color=BLUE, weight=Pt(3))

    words = describe_filters(con, filters)
    measures = len({(it.row["municipality"], it.row["measure_id"]) for it in items})
    scope = f"施策 {measures}件・指標 {len(items)}件"
    textbox(slide, Inches(1.0), Inches(3.95), SLIDE_W - Inches(2.0), Inches(1.7), ["対象: " + words[0]] + [
        "　　　" + w for w in words[1:]] + [scope], 18, color=INK, space_after=6)
    sources = source_text([s for it in items for s in it.sources])
    made = f"作成日 {today.year}年{today.month}月{today.day}日"
    textbox(slide, Inches(1.0), SLIDE_H - Inches(1.35), SLIDE_W - Inches(2.0), Inches(0.8),
            [made, _report_sources(items)], 13, color=GREY, space_after=2)
    _notes(slide, [subtitle, *words, scope, made, sources])


def _report_sources(items: list[Item]) -> str:
    """「出典: 苫小牧市 施策評価表 R1年度（tomakomai_R1.txt）」 for the title slide."""
    seen = OrderedDict()
    for it in items:
        for muni, label, file, _ in it.sources:
            seen[(muni, label, file)] = None
    return "出典: " + "、".join(f"{m} 施策評価表 {l}（{f}）" for m, l, f in seen) if seen else ""


def build_deck(con: duckdb.DuckDBPyConnection, filters: dict, title: str | None = None,
               per: str = "indicator") -> bytes:
    """A 16:9 .pptx of the selection: title slide, then one slide per indicator or per measure.

    `filters` is the shared sidebar filter (muni, pol, dept, sec, refl, q); it may also carry
    `measures` (施策番号 list) and `indicators` (indicator_id list), empty meaning all.
    Raises EmptySelection when no indicator matches.
    """
    data, _ = _deck(con, filters, title, per)
    if data is None:
        raise EmptySelection("no indicator matches the filters")
    return data


def _deck(con, filters, title, per, today: date | None = None) -> tuple[bytes | None, int]:
    if per not in PER_CHOICES:
        raise ValueError(f"per must be one of {', '.join(PER_CHOICES)}, not {per!r}")
    items = load_items(con, filters)
    if not items:
        return None, 0
    today = today or date.today()
    multi_muni = len({it.row["municipality"] for it in items}) > 1
    heading = title or "施策評価"
    prs = _new_presentation(heading)
    _title_slide(prs, con, filters, title, items, today)
    if per == "indicator":
        groups = [[it] for it in items]
    else:
        by_measure: OrderedDict[tuple[str, str], list[Item]] = OrderedDict()
        for it in items:
            by_measure.setdefault((it.row["municipality"], it.row["measure_id"]), []).append(it)
        groups = list(by_measure.values())
    all_years = sorted({(p.fiscal_year, p.label) for it in items for p in it.points})
    total = len(groups) + 1
    for k, group in enumerate(groups, start=2):
        if per == "indicator":
            _indicator_slide(prs, group[0], all_years, multi_muni)
        else:
            _measure_slide(prs, group, multi_muni)
        slide = prs.slides[-1]
        source = source_text([s for it in group for s in it.sources])
        _footer(slide, source, k, total)
        _notes(slide, [it.summary for it in group] + [source])
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue(), total


def deck_from_store(db: Path, out: Path, policies: list[int], measures: list[str], reflections: list[str],
                    per: str = "indicator", title: str | None = None) -> int:
    """Write the deck for these filters to `out`; the number of slides, 0 (and no file) when nothing matches."""
    from ..store import connect_readonly

    filters = {
        "pol": [int(p) for p in policies or []],
        "measures": [clean(str(m)) for m in measures or []],
        "refl": [clean(r).upper() for r in reflections or []],
    }
    con = connect_readonly(Path(db))
    try:
        data, slides = _deck(con, filters, title, per)
    finally:
        con.close()
    if data is None:
        return 0
    out = Path(out)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return slides

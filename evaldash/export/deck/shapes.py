"""python-pptx building blocks: the Japanese font on every run, text that fits, native charts, tables, panels.

python-pptx has no API for the east-asian typeface, so every piece of text gets it set on its XML element;
the theme's fonts too, so text typed later in PowerPoint is Japanese as well.
"""

from __future__ import annotations

import contextlib
import math
import unicodedata
from datetime import datetime

from lxml import etree
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.chart.xlsx import CategoryWorkbookWriter
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_TICK_LABEL_POSITION
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt, lazyproperty
from xlsxwriter import Workbook

from ...summary import SIGNED_PCT_FORMAT as _SIGNED_PCT, fmt_number
from ..excel import decimals_format

# Set as both the latin and the east-asian typeface of every run, the chart text and the theme. BIZ UDPゴシック
# ships with Windows 10 and later (the public sector's universal-design typeface); Debian's
# fonts-morisawa-bizud-gothic lets the tests render it.
FONT = "BIZ UDPゴシック"
LANG = "ja-JP"
# The smallest sizes a slide uses (pt): titles, body text (text boxes, tables, panels), a chart's own labels,
# and the footer's source line. Projected in a council room, smaller does not read.
TITLE_PT = 28
BODY_PT = 18
CHART_PT = 14
FOOTER_PT = 12

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


# --- fonts and text -------------------------------------------------------------------------------


def _set_typeface(rpr) -> None:
    """latin and east-asian typeface (and the language) on an a:rPr / a:defRPr / a:endParaRPr."""
    rpr.set("lang", LANG)
    rpr.set("altLang", "en-US")
    latin = rpr.get_or_add_latin()
    latin.set("typeface", FONT)
    ea = rpr.find(qn("a:ea"))
    if ea is None:
        ea = etree.Element(qn("a:ea"))
        latin.addnext(ea)  # schema order: latin, ea, cs, sym
    ea.set("typeface", FONT)


def style_font(font, size: float, bold: bool | None = None, *, color: RGBColor) -> None:
    """A python-pptx Font proxy (run, chart, axis, legend, data labels): Japanese font and looks."""
    font.size = Pt(size)
    if bold is not None:  # None: inherited
        font.bold = bold
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
        style_font(run.font, size, bold, color=color)
        _set_typeface(para._p.get_or_add_endParaRPr())
        for default in para._p.iter(qn("a:defRPr")):  # chart text carries paragraph defaults too
            _set_typeface(default)


def _wrapping(tf, anchor, margin_x, margin_y):
    """A text frame that wraps its text, anchored so, with these margins."""
    tf.word_wrap = True
    tf.vertical_anchor = anchor
    tf.margin_left = tf.margin_right = margin_x
    tf.margin_top = tf.margin_bottom = margin_y
    return tf


def textbox(slide, left, top, width, height, lines, size, *, color: RGBColor, align=PP_ALIGN.LEFT,
            anchor=MSO_ANCHOR.TOP, **kw) -> None:
    shape = slide.shapes.add_textbox(left, top, width, height)
    write(_wrapping(shape.text_frame, anchor, Inches(0.05), Inches(0.03)), lines, size, color=color, align=align, **kw)


def text_ems(text: str) -> float:
    """Width of a line in ems: full-width characters 1, others about half."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WFA" else 0.55 for c in text)


def fit_size(text: str, width, max_size: float, min_size: float) -> float:
    """The largest font size (pt, in half points) at which the text fits the width on one line."""
    size = min(max_size, Emu(width).pt * 0.94 / max(text_ems(text), 1.0))
    return max(min_size, math.floor(size * 2) / 2)


# --- the presentation -----------------------------------------------------------------------------


def new_presentation(title: str) -> Presentation:
    prs = Presentation()
    # The default template is 4:3: widen the master's and layouts' placeholders so a slide added
    # later in PowerPoint lands in the right place.
    scale = SLIDE_W / prs.slide_width
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
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
    props.created = props.modified = datetime.now().replace(microsecond=0)
    return prs


def _theme_fonts(prs: Presentation) -> None:
    """The theme's heading and body fonts, latin and east-asian, so text typed later is Japanese too."""
    part = prs.slide_master.part.part_related_by(RT.THEME)
    root = etree.fromstring(part.blob)
    for tag in ("a:majorFont", "a:minorFont"):
        for script in ("a:latin", "a:ea"):
            for font in root.iterfind(f".//{qn(tag)}/{qn(script)}"):
                font.set("typeface", FONT)
    # The theme is a plain part in python-pptx, without an XML API: replace its bytes.
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def place_title(slide, text: str) -> None:
    """The slide's title, on one line or, when long, two; never below TITLE_PT."""
    shape = slide.shapes.title
    shape.left, shape.top, shape.width, shape.height = MARGIN, Inches(0.2), SLIDE_W - 2 * MARGIN, Inches(0.95)
    tf = _wrapping(shape.text_frame, MSO_ANCHOR.BOTTOM, Inches(0.05), Inches(0.02))
    write(tf, text, fit_size(text, shape.width, 32, TITLE_PT), bold=True, color=NAVY)


def rectangle(slide, left, top, width, height, color: RGBColor):
    """A filled rectangle without an outline or the theme's style (its shadow and font colour)."""
    box = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, left, top, width, height)
    fill(box, color)
    box.line.fill.background()
    box._element.remove(box._element.find(qn("p:style")))  # python-pptx gives every autoshape one
    return box


def rule(slide, top, left=MARGIN, width=None, color=NAVY, weight=Pt(2.25)) -> None:
    rectangle(slide, left, top, width or SLIDE_W - 2 * MARGIN, weight, color)


def footer(slide, source: str, number: int, total: int) -> None:
    top = SLIDE_H - Inches(0.62)
    rule(slide, top, color=LIGHT_GREY, weight=Pt(0.75))
    textbox(slide, MARGIN, top + Inches(0.06), SLIDE_W - 2 * MARGIN - Inches(1.2), Inches(0.5), source, FOOTER_PT,
            color=GREY, anchor=MSO_ANCHOR.MIDDLE)
    textbox(slide, SLIDE_W - MARGIN - Inches(1.1), top + Inches(0.06), Inches(1.1), Inches(0.5),
            f"{number} / {total}", FOOTER_PT, color=GREY, align=PP_ALIGN.RIGHT, anchor=MSO_ANCHOR.MIDDLE)


def notes(slide, lines: list[str]) -> None:
    write(slide.notes_slide.notes_text_frame, lines, 12)


def _number_format(decimals: int, unit: str | None = None) -> str:
    fmt = decimals_format(decimals)
    if unit:
        # Quoted, so % is the letter and not "multiply by 100".
        fmt += '"' + unit.replace('"', "") + '"'
    return fmt


def fill(shape_format, color: RGBColor) -> None:
    shape_format.fill.solid()
    shape_format.fill.fore_color.rgb = color


class _TextWorkbookWriter(CategoryWorkbookWriter):
    """The chart's embedded workbook with every string written as a string: XlsxWriter would
    otherwise turn an indicator name beginning with "=" into a formula (or a URL into a link)."""

    @contextlib.contextmanager
    def _open_worksheet(self, xlsx_file):
        workbook = Workbook(xlsx_file, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
        yield workbook, workbook.add_worksheet()
        workbook.close()


class _ChartData(CategoryChartData):
    @lazyproperty
    def _workbook_writer(self):
        return _TextWorkbookWriter(self)


def _chart(slide, kind, box: tuple, categories: list[str], series: list[tuple[str, list]], values_format: str, *,
           labels_format: str, labels_pt: float, names_pt: float, steps_format: str):
    """A native chart, its data in the chart's own workbook (editable in PowerPoint): the Japanese font, each value
    labelled outside its column or bar, no gridlines across the categories, the value axis's steps in grey."""
    data = _ChartData(number_format=values_format)
    data.categories = categories
    for name, values in series:
        data.add_series(name, values, number_format=values_format)
    chart = slide.shapes.add_chart(kind, *box, data).chart
    style_font(chart.font, CHART_PT, color=INK)
    plot = chart.plots[0]
    plot.has_data_labels = True
    labels = plot.data_labels
    labels.number_format = labels_format
    labels.number_format_is_linked = False
    labels.position = XL_LABEL_POSITION.OUTSIDE_END
    style_font(labels.font, labels_pt, bold=True, color=INK)
    for s in plot.series:
        s.invert_if_negative = False
    ca = chart.category_axis
    ca.has_major_gridlines = False
    style_font(ca.tick_labels.font, names_pt, color=INK)
    va = chart.value_axis
    va.tick_labels.number_format = steps_format
    va.tick_labels.number_format_is_linked = False
    style_font(va.tick_labels.font, CHART_PT, color=GREY)
    return chart


def add_chart(slide, left, top, width, height, categories: list[str], series: list[tuple[str, list]],
              unit: str, decimals: int, *, legend: bool, title: str | None = None, highlight_last: bool = False):
    """A native clustered column chart. Missing values stay gaps (None), never zeros."""
    values = [v for _, vs in series for v in vs if v is not None]
    # Labels as large as the room over each column allows, never below CHART_PT: without the unit when that is
    # tight, and none at all when even the number does not fit (the slide's table or notes carry the values).
    slot = Emu(width).pt * 0.65 / max(len(categories) * len(series), 1)
    widest = max([text_ems(fmt_number(v, decimals)) for v in values] or [1.0])
    show_unit = slot / (widest + text_ems(unit or "")) >= CHART_PT
    chart = _chart(slide, XL_CHART_TYPE.COLUMN_CLUSTERED, (left, top, width, height), categories, series,
                   _number_format(decimals), labels_format=_number_format(decimals, unit if show_unit else None),
                   labels_pt=max(CHART_PT, min(20.0, math.floor(slot / (widest + 1)))), names_pt=CHART_PT,
                   # Axis steps are round numbers: whole numbers get separators, fractions show as they come.
                   steps_format=_number_format(0) if decimals == 0 else "General")
    chart.plots[0].data_labels.show_value = slot / widest >= CHART_PT
    chart.has_title = bool(title)  # False also marks the title deleted, so no series name shows up as one
    if title:
        write(chart.chart_title.text_frame, title, CHART_PT, bold=True, color=GREY, align=PP_ALIGN.CENTER)
    chart.has_legend = legend
    if legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        style_font(chart.legend.font, CHART_PT, color=INK)  # PowerPoint and LibreOffice stack long entries
    chart.category_axis.format.line.color.rgb = GREY
    _columns(chart.plots[0], categories, series, highlight_last)
    _value_axis(chart.value_axis, values)


def _columns(plot, categories: list[str], series: list[tuple[str, list]], highlight_last: bool) -> None:
    """The columns' spacing and colours."""
    plot.gap_width = 70 if len(series) == 1 else 50
    plot.overlap = 0 if len(series) == 1 else -5
    plot.vary_by_categories = False
    for k, s in enumerate(plot.series):
        fill(s.format, SERIES_COLORS[k % len(SERIES_COLORS)])
        s.format.line.fill.background()
        if highlight_last and len(series) == 1:
            # Earlier years pale, the latest year in full colour.
            last = max((i for i, v in enumerate(series[0][1]) if v is not None), default=None)
            for i in range(len(categories)):
                fill(s.points[i].format, BLUE if i == last else PALE_BLUE)


def _value_axis(va, values: list[float]) -> None:
    va.has_major_gridlines = bool(values)
    if values:
        va.major_gridlines.format.line.color.rgb = LIGHT_GREY
        va.major_gridlines.format.line.width = Pt(0.75)
    va.format.line.fill.background()
    if values and min(values) >= 0:
        va.minimum_scale = 0
        top_value = max(values)
        if top_value > 0:
            # Room above the tallest column for its label.
            va.maximum_scale = _nice_max(top_value * 1.15)
    elif not values:
        va.minimum_scale, va.maximum_scale = 0, 1
        va.tick_label_position = XL_TICK_LABEL_POSITION.NONE


def _nice_max(x: float) -> float:
    """A round axis maximum at or above x (> 0): 1, 1.2, 1.5, 2, 2.5 … 8 times a power of ten."""
    power = 10 ** math.floor(math.log10(x))
    return next((step * power for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8) if step * power >= x), 10 * power)


CELL_MARGIN_X = Inches(0.08)
CELL_MARGIN_Y = Inches(0.04)


def _cell(cell, text: str, size: float, *, background: RGBColor, align, bold=False, color=INK) -> None:
    cell.margin_left = cell.margin_right = CELL_MARGIN_X
    cell.margin_top = cell.margin_bottom = CELL_MARGIN_Y
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    write(cell.text_frame, text, size, bold=bold, color=color, align=align)
    cell.text_frame.word_wrap = True
    fill(cell, background)


def row_heights(widths: list, rows: list[list[str]], size: float) -> list[int]:
    """Each row's height in a table of these column widths: its tallest cell's wrapped text, at least 0.42 in."""
    inner = [max(Emu(w - 2 * CELL_MARGIN_X).pt, size) for w in widths]
    heights = []
    for row in rows:
        lines = max([1] + [math.ceil(text_ems(text) * size / room) for text, room in zip(row, inner)])
        heights.append(max(int(Inches(0.42)), int(Pt(size * 1.3) * lines + 2 * CELL_MARGIN_Y)))
    return heights


def add_table(slide, left, top, widths: list, header: list[str], rows: list[list[str]], size: float, aligns: list):
    """A native table: a navy header row, then banded rows, each row as tall as its wrapped text.

    Returns the shape; its height is the sum of the rows.
    """
    heights = row_heights(widths, [header, *rows], size)
    shape = slide.shapes.add_table(len(rows) + 1, len(header), left, top, sum(widths), sum(heights))
    table = shape.table
    table.first_row = True
    table.horz_banding = False
    for k, w in enumerate(widths):
        table.columns[k].width = w
    for r, h in enumerate(heights):
        table.rows[r].height = h
    for k, text in enumerate(header):
        _cell(table.cell(0, k), text, size, bold=True, color=WHITE, background=NAVY, align=PP_ALIGN.CENTER)
    for r, row in enumerate(rows, start=1):
        for k, text in enumerate(row):
            _cell(table.cell(r, k), text, size, background=WHITE if r % 2 else BAND, align=aligns[k])
    return shape


def text_height(lines: list[str], width, size: float, spacing: float = 1.45) -> int:
    """Estimated height (EMU) of wrapped lines at a font size in a box of this inner width."""
    # Conservative: renderers add space between Japanese and latin letters.
    per_line = max(Emu(width).pt * 0.92 / size, 1.0)
    count = sum(max(1, math.ceil(text_ems(x) / per_line)) for x in lines)
    return int(Pt(size * spacing) * count + Pt(4) * len(lines))


def panel(slide, left, top, width, max_height, heading: str, lines: list[str]):
    """A tinted box with a heading and text, as large as fits (never below BODY_PT), as tall as its text.

    Lines that do not fit even at BODY_PT are left out with a line that says how many: the slide's notes
    carry them all."""
    pad_x, pad_y = Inches(0.18), Inches(0.12)
    inner = width - 2 * pad_x

    def needed(shown, size):
        return Pt(BODY_PT * 1.5) + text_height(shown, inner, size) + 2 * pad_y

    size = 20  # pt: the largest a panel's text gets
    while size > BODY_PT and needed(lines, size) > max_height:
        size -= 1
    shown, k = lines, len(lines)
    while k > 1 and needed(shown, size) > max_height:
        k -= 1
        shown = lines[: k - 1] + [f"ほか {len(lines) - k + 1} 件はノートにあります"]
    box = rectangle(slide, left, top, width, int(min(max_height, needed(shown, size) + Inches(0.1))), PANEL)
    tf = _wrapping(box.text_frame, MSO_ANCHOR.TOP, pad_x, pad_y)
    write(tf, [heading] + shown, size, color=INK, space_after=4, line_spacing=1.1)
    style_font(tf.paragraphs[0].runs[0].font, BODY_PT, bold=True, color=NAVY)
    return box


def no_data_note(slide, left, top, width, height, notes: list[str]) -> None:
    """Over an empty chart: say that the report gives no number, and why when it says."""
    lines = ["数値の報告がありません"] + [n for n in notes if n]
    textbox(slide, left + width // 10, top + height // 2 - Inches(0.5), width * 8 // 10, Inches(1.0), lines,
            fit_size(max(lines, key=text_ems), width * 8 // 10, 24, BODY_PT), color=GREY, align=PP_ALIGN.CENTER,
            anchor=MSO_ANCHOR.MIDDLE)


def add_bar_ranking(slide, left, top, width, height, names: list[str], pcts: list[float]):
    """A native horizontal bar chart of changes in per cent, the first name at the top, each bar labelled
    with its signed value (+44.7%, −3.0%)."""
    chart = _chart(slide, XL_CHART_TYPE.BAR_CLUSTERED, (left, top, width, height), names, [("増減率（%）", pcts)],
                   _SIGNED_PCT, labels_format=_SIGNED_PCT, labels_pt=BODY_PT, names_pt=BODY_PT,
                   steps_format=_SIGNED_PCT)
    chart.has_title = False
    chart.has_legend = False
    chart.plots[0].gap_width = 60
    fill(chart.plots[0].series[0].format, BLUE)
    ca = chart.category_axis
    ca.reverse_order = True  # the first (largest) at the top
    ca.tick_label_position = XL_TICK_LABEL_POSITION.LOW  # names stay left of a negative bar
    chart.value_axis.has_major_gridlines = True
    chart.value_axis.major_gridlines.format.line.color.rgb = LIGHT_GREY

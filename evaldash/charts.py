"""Plotly figures shared by the pages and the exports. No Streamlit here.

Colours are Okabe–Ito (safe for the common colour-vision deficiencies) and
fixed per 反映区分 and per 運営方針, so a colour means the same on every page.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from . import plotly_ja
from .filters import short_policy_label
from .normalize import is_missing
from .summary import decimals_of, fmt_number, fmt_pct

FONT_FAMILY = "Noto Sans CJK JP, Noto Sans JP, Hiragino Sans, Meiryo, sans-serif"
# Lines on white: the Okabe–Ito palette without its yellow, which is too pale to read as a thin line.
LINE_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000", "#8C8C8C"]
REFLECTION_COLORS = {"A": "#0072B2", "B": "#E69F00"}
OTHER_COLOR = "#8C8C8C"
NO_REFLECTION = "区分なし"
ASSESSMENT_COLORS = {"good": "#0072B2", "bad": "#D55E00", "neutral": "#8C8C8C"}
# 方向の設定なし, not 評価なし: the indicator is evaluated, only its good direction is not set (data/indicator_meta.csv).
ASSESSMENT_LABELS = {"good": "改善", "bad": "悪化", "neutral": "方向の設定なし"}
STATUS_LABELS = {"no_value": "値なし（報告書に「-」）", "not_reported": "未報告", "reported": "報告値"}
MODES = {"absolute": "実数", "index": "指数（初年度=100）", "pct_change": "増減率（前年度から、%）"}
# A bar longer than this many times the next longest is cut at the axis end (clip_limit).
CLIP_RATIO = 3
SOURCE_NOTE_HEIGHT = 28  # px below the plot for the source line that a saved image carries


def safe_text(text) -> str:
    """Plotly reads a few HTML tags in labels; report text must show as written."""
    if is_missing(text):
        return ""
    return html.escape(str(text), quote=False)


def year_label(fiscal_year: int, wareki_label: str, era: str) -> str:
    return wareki_label if era == "wareki" else f"{int(fiscal_year)}年度"


def _figure(spec: dict) -> go.Figure:
    """The figure for a finished spec of plain dicts and lists, taken as it is.

    Why not plotly's graph objects step by step: they validate every property as it is set, many times the cost
    of building the chart and most of a filter change (BENCHMARKS.md, decisions log: charts as plain dicts), for
    figures whose shape never depends on the data. The specs are checked against plotly's full validation in
    tests/test_charts.py instead, so a misspelt property fails there, not silently in the browser.
    """
    return go.Figure(spec, _validate=False)


def _panel_refs(row: int) -> tuple[str, str, str]:
    """Trace references of a panel's category axis, value axis and hidden axis of its gap marks: x, y, y2 for the
    first panel, x2, y3, y4 for the second, …"""
    return ("x" if row == 1 else f"x{row}"), ("y" if row == 1 else f"y{2 * row - 1}"), f"y{2 * row}"


def axis_key(ref: str) -> str:
    """The layout key of the axis a trace refers to: x -> xaxis, y2 -> yaxis2."""
    return f"{ref[0]}axis{ref[1:]}"


def _layout(layout: dict, height: int, title: str | None) -> None:
    """The house style every chart shares, set on a layout dict with its axes already in it."""
    layout.update(
        height=height,
        font=dict(family=FONT_FAMILY, size=14),
        margin=dict(l=10, r=20, t=60 if title else 30, b=10),
        title=dict(text=safe_text(title), x=0, xanchor="left") if title else {},
        hoverlabel=dict(font=dict(family=FONT_FAMILY)),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0, xanchor="left", title=dict(text="")),
        plot_bgcolor="white",
    )
    for key, axis in layout.items():
        if key.startswith("xaxis"):
            axis.update(showgrid=False, linecolor="#BBBBBB")
        elif key.startswith("yaxis"):
            axis.update(gridcolor="#E5E5E5", zerolinecolor="#BBBBBB")


def _with_source(layout: dict, source: str | None, below: int = 30) -> dict:
    """The source as a line under the plot: a saved PNG or SVG is what plotly draws, so it says where it is from.

    `below`: px under the plot area taken by the x axis (its tick labels, and its title if it has one)."""
    if not source:
        return layout
    layout.setdefault("annotations", []).append(dict(
        text=safe_text(source), showarrow=False, xref="paper", x=0, xanchor="left", yref="paper", y=0,
        yanchor="top", yshift=-below, font=dict(size=12, color="#555555"), name="source",
    ))
    layout["margin"]["b"] = max(layout["margin"]["b"], below + SOURCE_NOTE_HEIGHT)
    layout["height"] += SOURCE_NOTE_HEIGHT + 10
    return layout


def reflection_by_policy(frame: pd.DataFrame, with_city: bool = False, title: str | None = None,
                         source: str | None = None) -> go.Figure:
    """Stacked horizontal bars: measures per 運営方針 by 反映区分, 運営方針 01 at the top.

    Each city numbers and names its own 運営方針: with several cities a bar is one city's, named with the city, and
    the bars go city by city (two cities' 「01 健康づくりの推進」 are two bars, not one). `with_city` when the
    chart is of several cities, though the frame may hold only the first of them.
    """
    cities = frame["municipality"].tolist() if with_city else [""] * len(frame)
    keys = [(city, int(no), name) for city, no, name in zip(cities, frame["policy_no"], frame["policy_name"])]
    label_of = {k: safe_text(f"{k[0]} {short_policy_label(k[1], k[2])}".strip()) for k in set(keys)}
    policy = [label_of[k] for k in keys]
    # A measure without a 反映区分 (a template may leave it empty) is a bar of its own, named so, after the letters.
    letters = ["~" if is_missing(r) or not str(r) else str(r) for r in frame["reflection"]]
    kind = [NO_REFLECTION if r == "~" else safe_text(f"{r} {'' if is_missing(label) else label}".strip())
            for r, label in zip(letters, frame["reflection_label"])]
    order = list(dict.fromkeys(label_of[k] for k in sorted(set(keys))))
    traces = []
    # A before B, then any other letter; one trace a 区分, so the legend names each colour once.
    for letter, name in sorted(set(zip(letters, kind))):
        rows = [i for i, k in enumerate(kind) if k == name]
        counts = [int(frame["measures"].iloc[i]) for i in rows]
        traces.append(dict(
            type="bar", orientation="h", name=name, legendgroup=name, showlegend=True,
            x=counts, y=[policy[i] for i in rows], text=counts,
            marker=dict(color=REFLECTION_COLORS.get(letter, OTHER_COLOR)),
            textposition="inside", insidetextanchor="middle", textfont=dict(size=15),
            hovertemplate="%{y}<br>%{fullData.name}<br>施策数 %{x}<extra></extra>",
        ))
    return _ranked_bars(traces, dict(title=dict(text="施策数"), dtick=1),
                        dict(categoryarray=order, autorange="reversed"), 120 + 48 * len(order), title, source)


def _ranked_bars(traces: list[dict], x_axis: dict, y_axis: dict, height: int, title: str | None,
                 source: str | None, **layout) -> go.Figure:
    """Horizontal bars, a category a row, as both rankings draw them: the legend between the title and the bars,
    the source under the value axis's ticks and title."""
    layout.update(
        xaxis=dict(anchor="y", domain=[0.0, 1.0], **x_axis),
        yaxis=dict(anchor="x", domain=[0.0, 1.0], title=dict(text=""), type="category", categoryorder="array",
                   **y_axis),
        barmode="relative",
    )
    _layout(layout, height=height + (40 if title else 0), title=title)
    if title:
        layout["margin"]["t"] = 100
    layout["legend"]["tracegroupgap"] = 0
    return _figure(dict(data=traces, layout=_with_source(layout, source, below=60)))


def _transform(values: list[float | None], mode: str) -> list[float | None]:
    if mode == "absolute":
        return values
    if mode == "index":
        base = next((v for v in values if not is_missing(v)), None)
        if base in (None, 0):
            return [None] * len(values)
        return [None if is_missing(v) else v / base * 100 for v in values]
    out: list[float | None] = [None]
    for a, b in zip(values, values[1:]):
        ok = not is_missing(a) and not is_missing(b) and a != 0
        out.append((b - a) / abs(a) * 100 if ok else None)
    return out


def _line_names(rows: list[dict]) -> dict:
    """The legend name of each indicator's line: the indicator, with the city when several are drawn.

    One line per indicator. Two indicators may share a name (「参加者数」 of two measures): they get the
    施策番号 beside it, so neither the legend nor the data merges them.
    """
    several_munis = len({r.get("municipality") for r in rows}) > 1
    first: dict = {}
    for r in rows:
        if r["indicator_id"] not in first:
            name = f"{r['indicator']}（{r['municipality']}）" if several_munis else str(r["indicator"])
            first[r["indicator_id"]] = (name, str(r["measure_id"]))
    count = Counter(name for name, _ in first.values())
    renamed = {i: f"{name}・施策 {m}" if count[name] > 1 else name for i, (name, m) in first.items()}
    if len(set(renamed.values())) < len(renamed):  # the same name twice in one measure: the id tells them apart
        renamed = {i: f"{name}・{i}" if count[name] > 1 else name for i, (name, _) in first.items()}
    return renamed


@dataclass
class _Trend:
    """What every line of a trend figure shares: the years, the mode and the colours."""

    mode: str
    kind: str
    labels: dict[int, str]  # fiscal year -> its label, in order
    color_of: dict[str, str]  # line name -> colour
    show_labels: bool
    gap_legend_shown: bool = False


def _trend_spec(
    series: pd.DataFrame,
    mode: str = "absolute",
    kind: str = "line",
    era: str = "wareki",
    targets: pd.DataFrame | None = None,
    height_per_panel: int = 300,
    show_labels: bool | None = None,
    title: str | None = None,
    source: str | None = None,
) -> dict:
    # A few dozen rows: plain Python over records is ten times faster here than pandas' grouping.
    rows = series.to_dict("records")
    trend, panels = _panels(rows, mode, kind, era, show_labels)
    target_rows = targets.to_dict("records") if targets is not None and mode == "absolute" else []
    n = len(panels)
    height = 90 + height_per_panel * n
    spacing = min(0.3, 90 / height) if n > 1 else 0.0
    panel_height = (1 - spacing * (n - 1)) / n
    traces: list[dict] = []
    layout: dict = {}
    titles: list[dict] = []
    targets_drawn: list[tuple[dict, dict]] = []
    for row, (panel, lines) in enumerate(panels.items(), start=1):
        x_ref, y_ref, gap_ref = _panel_refs(row)
        drawn: list[float] = []
        for name, line in lines.items():
            traces += _line_traces(trend, name, line, x_ref, y_ref, gap_ref, drawn)
        in_panel = {r["indicator_id"] for line in lines.values() for r in line}
        for t in target_rows:
            if t["indicator_id"] in in_panel:
                drawn.append(float(t["target"]))
                targets_drawn.append(_target_line(t, x_ref, y_ref))
        top = 1 - (row - 1) * (panel_height + spacing)
        titles.append(_panel_title(panel, lines, mode, top))
        y_range = _headroom(drawn, mode, kind)
        if y_range is not None and (y_range[0] > 0 or y_range[1] < 0):
            titles.append(_baseline_note(top))
        layout.update(_panel_axes(row, n, top, panel_height, list(trend.labels.values()), y_range))
    layout.update(annotations=titles + [note for _, note in targets_drawn],
                  shapes=[shape for shape, _ in targets_drawn])
    if kind == "bar":
        layout["barmode"] = "group"
    # The legend sits above the first panel's title, placed from the figure's top in a margin sized for its rows.
    legend_rows = _legend_rows(list(trend.color_of) + (["値なし"] if trend.gap_legend_shown else []))
    _layout(layout, height=height + 24 * legend_rows, title=title)
    layout["margin"]["t"] = 40 + 24 * legend_rows + (40 if title else 0)
    layout["legend"].update(yref="container", y=1, yanchor="top")
    if title:  # the title on the first line at the top, the legend's rows under it
        layout["title"].update(yref="container", y=1, yanchor="top", pad=dict(t=12))
        layout["legend"]["y"] = 1 - 44 / layout["height"]
    return dict(data=traces, layout=_with_source(layout, source))


def _panels(rows: list[dict], mode: str, kind: str, era: str, show_labels: bool | None):
    """The shared settings, and the rows by panel (one per unit) and line, in the order they came."""
    first_label: dict[int, str] = {}
    for r in rows:
        first_label.setdefault(int(r["fiscal_year"]), r["fiscal_label"])
    labels = {y: year_label(y, first_label[y], era) for y in sorted(first_label)}
    name_of = _line_names(rows)
    panels: dict[str, dict[str, list[dict]]] = {}
    for r in rows:
        unit = "" if is_missing(r["unit"]) else r["unit"]
        panel = unit if mode == "absolute" else ("%" if mode == "pct_change" else "指数")
        panels.setdefault(panel, {}).setdefault(name_of[r["indicator_id"]], []).append(r)
    # Value labels only where they stay legible: few years, and few lines sharing a panel.
    crowded = max(len(lines) for lines in panels.values()) > 2
    show_labels = (len(labels) <= 6 and not crowded) if show_labels is None else show_labels
    color_of = {name: LINE_COLORS[k % len(LINE_COLORS)] for k, name in enumerate(dict.fromkeys(name_of.values()))}
    return _Trend(mode, kind, labels, color_of, show_labels), panels


def _line_traces(trend: _Trend, name: str, line: list[dict], x_ref: str, y_ref: str, gap_ref: str,
                 drawn: list[float]) -> list[dict]:
    """One indicator's line (or bars), and a mark for each year it has no value."""
    mode, cats = trend.mode, list(trend.labels.values())
    value_of = {int(r["fiscal_year"]): r["value"] for r in line}
    raw = [None if is_missing(value_of.get(year)) else float(value_of[year]) for year in trend.labels]
    values = _transform(raw, mode)
    drawn.extend(v for v in values if v is not None)
    unit = "" if is_missing(line[0]["unit"]) else line[0]["unit"]
    d = decimals_of(*[v for v in raw if v is not None])
    shown_unit = unit if mode == "absolute" else ""  # a rate's % comes with fmt_pct; an index has no unit
    # A rate of change is signed (+44.7%, −3.0%, ±0.0%); values and indices are not changes.
    text = ["" if v is None else fmt_pct(v) if mode == "pct_change"
            else (fmt_number(v, d if mode == "absolute" else 1) + safe_text(shown_unit)) for v in values]
    hover = [
        f"{safe_text(name)}<br>{x}: {t or '値なし'}"
        + (f"<br>実数: {fmt_number(r, d)}{safe_text(unit)}" if mode != "absolute" and r is not None else "")
        for x, t, r in zip(cats, text, raw)
    ]
    color = trend.color_of[name]
    trace = dict(x=cats, y=values, name=safe_text(name), legendgroup=safe_text(name), hovertext=hover,
                 hoverinfo="text", showlegend=True, cliponaxis=False, xaxis=x_ref, yaxis=y_ref)
    if trend.kind == "bar":
        trace.update(type="bar", marker=dict(color=color), textposition="outside")
    else:
        trace.update(type="scatter", mode="lines+markers+text" if trend.show_labels else "lines+markers",
                     line=dict(color=color, width=3), marker=dict(size=9), connectgaps=False,
                     textposition="top center")
    if trend.show_labels:
        trace["text"] = text
    # A gap says why: a hollow mark on a hidden 0..1 axis, never a value of zero.
    missing = [r for r in line if is_missing(r["value"]) and not is_missing(r["value_status"])]
    if not missing:
        return [trace]
    xs = [trend.labels[int(r["fiscal_year"])] for r in missing]
    reasons = [
        f"{safe_text(name)}<br>{x}: {STATUS_LABELS.get(r['value_status'], r['value_status'])}"
        + (f"<br>{safe_text(r['note'])}" if isinstance(r["note"], str) and r["note"] else "")
        for x, r in zip(xs, missing)
    ]
    gaps = dict(
        type="scatter", x=xs, y=[0.04] * len(xs), mode="markers",
        marker=dict(symbol="x-thin-open", size=14, color=color, line=dict(width=2)),
        name="値なし", legendgroup="gap", showlegend=not trend.gap_legend_shown,
        legendrank=2000,  # after the lines (default rank 1000), not among them
        hovertext=reasons, hoverinfo="text", xaxis=x_ref, yaxis=gap_ref,
    )
    trend.gap_legend_shown = True
    return [trace, gaps]


def _target_line(t: dict, x_ref: str, y_ref: str) -> tuple[dict, dict]:
    """A dashed line across the panel at the indicator's target, and its label."""
    target = float(t["target"])
    shape = dict(type="line", xref=f"{x_ref} domain", x0=0, x1=1, yref=y_ref, y0=target, y1=target,
                 line=dict(color="#555555", dash="dash"))
    note = dict(text=f"目標 {fmt_number(target)}{safe_text(t.get('unit'))}", showarrow=False, xref=f"{x_ref} domain", x=0,
                xanchor="left", yref=y_ref, y=target, yanchor="bottom", font=dict(size=14))
    return shape, note


def _panel_title(panel: str, lines: dict[str, list[dict]], mode: str, top: float) -> dict:
    """The panel's heading, left-aligned above it: the unit (or the mode) and what it shows."""
    names = list(dict.fromkeys(r["indicator"] for line in lines.values() for r in line))
    head = f"単位: {panel}" if mode == "absolute" else MODES[mode]
    return dict(
        text=safe_text(head + ("　" + "、".join(names) if len(names) <= 2 else f"　（{len(names)}指標）")
                       + (f"　{len(lines)}系列" if len(lines) > len(names) else "")),
        showarrow=False, xref="paper", x=0, xanchor="left", yref="paper", y=top, yanchor="bottom",
        font=dict(size=14),
    )


def _baseline_note(top: float) -> dict:
    """Said at the panel's top right when its value axis does not start at zero (an index drawn as lines)."""
    return dict(text="※縦軸は0から始まっていません", name="baseline", showarrow=False, xref="paper", x=1,
                xanchor="right", yref="paper", y=top, yanchor="bottom", font=dict(size=12, color="#555555"))


def _panel_axes(row: int, n: int, top: float, panel_height: float, cats: list[str], y_range) -> dict:
    """The panel's category axis, its value axis and the hidden 0..1 axis of its gap marks."""
    x_ref, y_ref, gap_ref = _panel_refs(row)
    # The hidden gap axis takes no room: the panels use the full width.
    y_axis = dict(anchor=x_ref, domain=[0.0 if row == n else top - panel_height, top], tickformat=",")
    if y_range is not None:
        y_axis["range"] = y_range
    return {
        axis_key(x_ref): dict(anchor=y_ref, domain=[0.0, 1.0], type="category", categoryorder="array",
                              categoryarray=cats),
        axis_key(y_ref): y_axis,
        axis_key(gap_ref): dict(anchor=x_ref, overlaying=y_ref, side="right", range=[0, 1], visible=False,
                                fixedrange=True),
    }


def trend_figure(series: pd.DataFrame, **options) -> go.Figure:
    """Small multiples by unit: indicators of one unit share a panel, never two units on one axis.

    `series` has indicator_id, indicator, unit, fiscal_year, fiscal_label, value, value_status, note
    (and optionally municipality). Missing values are gaps, marked on a hidden axis with the reason.
    Options (see _trend_spec): mode (MODES), kind ("line" or "bar"), era ("wareki" or "seireki"), targets,
    height_per_panel, show_labels, title, source.
    """
    return _figure(_trend_spec(series, **options))


def slide_figure(one: pd.DataFrame, mode: str = "absolute", kind: str = "line", era: str = "wareki",
                 targets: pd.DataFrame | None = None, title: tuple[str, str] | None = None,
                 source: str | None = None) -> go.Figure:
    """One indicator for a presentation slide: large type, no legend, only the target's note kept.

    `title` (the indicator, then a line of its mode, unit and years) and `source` are drawn in the figure although
    the slide says them above and below it too: plotly saves what it draws, and its toolbar's image options
    (toImageButtonOptions) set only the file's name, format and size, so a saved slide says them only this way."""
    spec = _trend_spec(one, mode=mode, kind=kind, era=era, targets=targets, height_per_panel=190)
    layout = spec["layout"]
    layout["font"]["size"] = 20
    layout.update(showlegend=False, margin=dict(l=90, r=40, t=30, b=60))
    layout["annotations"] = [a for a in layout["annotations"]
                             if a["text"].startswith("目標") or a.get("name") == "baseline"]
    for key, axis in layout.items():
        if key.startswith(("xaxis", "yaxis")):
            axis["tickfont"] = dict(size=20 if key.startswith("x") else 18)
    for trace in spec["data"]:
        if trace["type"] == "scatter":
            trace["textfont"] = dict(size=24)
    if title:
        # One line of small type above the plot: the page's headings say it large on screen, so the copy in the
        # figure takes as little of the chart's room as a saved image can do with.
        name, subtitle = title
        layout["title"] = dict(text=f"<b>{safe_text(name)}</b>　{safe_text(subtitle)}", x=0, xanchor="left",
                               xref="container", yref="container", y=1, yanchor="top", pad=dict(t=8, l=8),
                               font=dict(size=16, color="#333333"))
        layout["margin"]["t"] += 34
    _with_source(layout, source, below=40)  # under the year labels
    return _figure(spec)


def _legend_rows(names: list[str], width: int = 820) -> int:
    """How many rows a horizontal legend of these names takes at a laptop's chart width."""
    rows, used = 1, 0
    for name in names:
        w = 48 + 14 * len(name)  # symbol and gap, then about one em per Japanese character
        if used and used + w > width:
            rows, used = rows + 1, 0
        used += w
    return rows


def _headroom(values: list[float], mode: str, kind: str) -> list[float] | None:
    """A y range with room above the highest point for its label, so labels never reach the panel title.

    Bars, values and rates of change start at zero (a bar's length is its value; a rate's baseline is no change).
    Only an index drawn as lines may leave zero out, and its panel then says so (_baseline_note)."""
    if not values:
        return None
    lo, hi = min(values), max(values)
    from_zero = mode in ("absolute", "pct_change") or kind == "bar"
    if from_zero:
        lo, hi = min(0.0, lo), max(0.0, hi)
    span = (hi - lo) or abs(hi) or 1.0
    return [lo - (0.12 * span if lo < 0 or not from_zero else 0.0), hi + 0.25 * span]


def clip_limit(pcts: list[float]) -> float | None:
    """Where the 増減率 axis ends when one bar would flatten all the others (+660% beside +20%), else None.

    A bar longer than CLIP_RATIO times the next longest is cut at the axis's end and labelled with its true value."""
    sizes = sorted((abs(p) for p in pcts), reverse=True)
    if len(sizes) < 2:
        return None
    rest = max(sizes[1], 10.0)
    if sizes[0] <= CLIP_RATIO * rest:
        return None
    return float(math.ceil(rest * 1.5 / 10) * 10)


def _bar_labels(df: pd.DataFrame) -> pd.Series:
    """One label a bar: two rows of one name would stack on one category, so tell them apart by what differs."""
    label = df["indicator"].map(lambda s: safe_text(s if len(s) <= 28 else s[:27] + "…"))
    if "municipality" in df and df["municipality"].nunique() > 1:  # every bar says its city, not only clashing ones
        label = label + ("（" + df["municipality"].astype(str) + "）").map(safe_text)
    for qualifier in ("・施策 " + df["measure_id"].astype(str), "・" + df["indicator_id"].astype(str)):
        clash = label.duplicated(keep=False)
        if not clash.any():
            break
        label = label.mask(clash, label + qualifier.map(safe_text))
    return label


def _change_trace(key: str, mine: list[dict], limit: float | None) -> dict:
    """The bars of one assessment; a bar past `limit` is drawn to it, hatched, with its true value and ≫."""
    def cut(pct: float) -> float:
        return pct if limit is None else max(-limit, min(limit, pct))

    clipped = [limit is not None and abs(r["delta_pct"]) > limit for r in mine]
    return dict(
        type="bar", orientation="h", name=ASSESSMENT_LABELS[key], legendgroup=ASSESSMENT_LABELS[key],
        showlegend=True, width=0.7,
        marker=dict(color=ASSESSMENT_COLORS[key], pattern=dict(shape=["/" if c else "" for c in clipped])),
        x=[cut(float(r["delta_pct"])) for r in mine], y=[r["label"] for r in mine],
        text=[fmt_pct(r["delta_pct"]) + (" ≫" if c else "") for r, c in zip(mine, clipped)],
        textposition="outside", cliponaxis=False,
        customdata=[[
            f"{safe_text(r['indicator'])}<br>{r['prev_label']} {fmt_number(r['prev_value'])}{safe_text(r['unit'])}"
            f" → {r['latest_label']} {fmt_number(r['latest_value'])}{safe_text(r['unit'])}"
            f"<br>増減率 {fmt_pct(r['delta_pct'])}"
        ] for r in mine],
        hovertemplate="%{customdata[0]}<extra></extra>",
    )


def change_bars(changes: pd.DataFrame, title: str | None = None, source: str | None = None) -> go.Figure:
    """増減率 ranked as a diverging bar; colour says good or bad only where the metadata file knows.

    The bars start at zero; when one bar would flatten the rest, the axis is cut (clip_limit) and says so."""
    df = changes.dropna(subset=["delta_pct"]).sort_values("delta_pct", kind="stable")
    label = _bar_labels(df)
    rows = df.assign(label=label).to_dict("records")
    limit = clip_limit(df["delta_pct"].tolist())
    by_key = {key: [r for r in rows if r["assessment"] == key] for key in ASSESSMENT_LABELS}
    traces = [_change_trace(key, mine, limit) for key, mine in by_key.items() if mine]
    shown = [x for t in traces for x in t["x"]]
    lo, hi = min([0.0, *shown]), max([0.0, *shown])
    pad = (hi - lo) * 0.25 + 5  # room for the value labels outside the bars
    axis_title = "増減率（%）" + ("　※ ≫ の棒は軸の端で切っています（数値は実際の増減率）" if limit is not None else "")
    zero_line = dict(type="line", xref="x", x0=0, x1=0, yref="y domain", y0=0, y1=1, line=dict(color="#555555"))
    return _ranked_bars(traces, dict(title=dict(text=axis_title), range=[lo - (pad if lo < 0 else 0), hi + pad]),
                        dict(categoryarray=list(label)), max(200, 110 + 30 * len(df)), title, source,
                        shapes=[zero_line])


def mini_trend(series: pd.DataFrame, target: float | None = None, title: str | None = None,
               source: str | None = None) -> go.Figure:
    """A small chart of one indicator's values on the measure card, its years in 和暦 as the card writes them;
    `title` and `source` for a saved image's sake."""
    spec = _trend_spec(series, mode="absolute", kind="line", era="wareki", show_labels=True)
    layout = spec["layout"]
    layout.update(showlegend=False, margin=dict(l=10, r=10, t=60 if title else 30, b=10),
                  height=240 + (30 if title else 0))
    if title:
        layout["title"] = dict(text=safe_text(title), x=0, xanchor="left", font=dict(size=14))
    layout["annotations"] = []  # the card shows the unit beside the chart already
    _with_source(layout, source)
    if target is not None:
        shape, note = _target_line(dict(target=target), "x", "y")
        layout["shapes"].append(shape)
        layout["annotations"].append(note)
    return _figure(spec)


# --- a chart laid out again for a narrow main block (a phone, a small window beside the sidebar) -----------------
# Plotly never wraps text: a title, a source line or a category name wider than the chart runs past its edge and is
# cut off there. The server does not know the chart's width, only that the main block is narrow (ui.narrow), so lines
# are wrapped for the narrowest chart such a block holds.
NARROW_CHART_PX = 300
NARROW_TICK_EMS = 10  # a category name's line: the bars keep the rest of the width for themselves and their labels
LINE_PX = 1.3  # a line of text is about this many times its font size high
# A line never starts with these (Japanese line breaking): the character before goes down with them.
_NO_LINE_START = set("）」』】〕、。，．・ー…％%)]:：")
# Where a line breaks best: after a comma or a space, before an opening bracket.
_BREAK_AFTER = set("、，。・　 ")
_BREAK_BEFORE = set("（「『【〔(")
# One visible character each: an escaped character (&amp;, &lt;), or a tag plotly reads (drawn as nothing).
_TOKENS = re.compile(r"&#?\w+;|<[^>]*>|.", re.S)


def text_ems(text: str) -> float:
    """How wide a line is, in font sizes: a full-width character is one, a half-width character a little over half."""
    return sum(_token_ems(t) for t in _TOKENS.findall(text))


def _token_ems(token: str) -> float:
    if token.startswith("<"):
        return 0.0
    char = html.unescape(token)[0]
    return 1.0 if unicodedata.east_asian_width(char) in ("W", "F") else 0.6


def wrap_text(text: str, ems: float) -> str:
    """The text in lines of at most `ems` font sizes, joined by <br>; an escaped character is never cut in two, so
    text made safe (safe_text) stays safe and shows the same characters. Lines already there are kept."""
    out: list[str] = []
    for given in re.split(r"<br\s*/?>", text):
        lines: list[list[str]] = [[]]
        for token in _TOKENS.findall(given):
            line = lines[-1]
            if line and sum(map(_token_ems, line)) + _token_ems(token) > ems:
                lines.append(_carried(line, token))
            lines[-1].append(token)
        out += ["".join(line) for line in lines]
    return "<br>".join(out)


def _carried(line: list[str], token: str) -> list[str]:
    """What a full line hands down to the next one: the words after its last break in its later half (after 、 or
    a space, before （), else the character before a `token` that must not start a line, else nothing."""
    for at in range(len(line) - 1, len(line) // 2, -1):
        if line[at - 1] in _BREAK_AFTER or line[at] in _BREAK_BEFORE:
            moved = line[at:]
            del line[at:]
            return moved
    return [line.pop()] if token in _NO_LINE_START and len(line) > 1 else []


def _lines(text: str) -> int:
    return len(re.split(r"<br\s*/?>", text))


def image_config(filename: str, fmt: str = "png") -> dict:
    """Plotly toolbar config: download as a 2x image with a meaningful Japanese file name; the toolbar in Japanese."""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": fmt, "filename": filename, "scale": 2},
        "modeBarButtonsToRemove": ["lasso2d", "select2d"],
        **plotly_ja.CONFIG,
    }


def for_narrow(fig: go.Figure) -> go.Figure:
    """A copy of `fig` whose text fits a narrow chart: the title, the panels' headings, the legend, the category
    names, the axis note and the source wrapped, and the figure grown to make room for them (`fig` is unchanged)."""
    spec = fig.to_dict()  # a deep copy already
    layout = spec["layout"]
    font = layout.get("font", {}).get("size", 14)
    margin = layout.setdefault("margin", {})
    height = layout.get("height", 450)
    legend = layout.get("legend", {})
    # A legend placed from the top of the figure (the trend chart's) keeps its place under the title.
    legend_top = (1 - legend.get("y", 1)) * height if legend.get("yref") == "container" else None
    title = _narrow_title(layout, font)
    rows = _narrow_categories(spec, font, height - margin.get("t", 60) - margin.get("b", 10))
    # What is placed on the plot's own width (the panels' headings, the axis title, the source) starts right of
    # the value or category labels: about as wide as the widest of those, or a number's.
    ticks = layout.get("yaxis", {}).get("ticktext") or ["100,000"]
    plot_px = NARROW_CHART_PX - 10 - font * max(text_ems(line) for t in ticks for line in t.split("<br>"))
    _narrow_value_range(spec, font, plot_px)
    top = title + _narrow_legend(spec, font, plot_px) + _narrow_panel_titles(layout, font, plot_px)
    bottom = _narrow_axis_title(layout, font, plot_px)
    bottom += _narrow_source(layout, bottom, plot_px)
    margin.update(t=margin.get("t", 60) + top, b=margin.get("b", 10) + bottom)
    layout["height"] = height + top + rows + bottom
    if legend_top is not None:
        legend["y"] = 1 - (legend_top + title) / layout["height"]
    return _figure(spec)


def _line_height(size: float, lines: int) -> int:
    """px that `lines` lines of text of this size take beyond the first."""
    return round(max(lines - 1, 0) * size * LINE_PX)


def _narrow_title(layout: dict, font: float) -> int:
    """The chart's title wrapped, at the top; px the top grows by."""
    title = layout.get("title") or {}
    if not title.get("text"):
        return 0
    size = title.get("font", {}).get("size", round(font * 1.4))  # plotly's title is 1.4 times the chart's type
    title["text"] = wrap_text(title["text"], NARROW_CHART_PX / size)
    grown = _line_height(size, _lines(title["text"]))
    # Plotly places a title of several lines by its first: the pad keeps the lines above it inside the figure.
    title.update(yref="container", y=1, yanchor="top", pad=dict(t=12 + grown))
    return 2 * grown  # the pad, and the lines under the first


def _narrow_panel_titles(layout: dict, font: float, width: float) -> int:
    """Each panel's heading wrapped (it grows upward, into the room above the panel); px the first one grows by."""
    headings = [a for a in layout.get("annotations", []) if a.get("xref") == "paper" and a.get("xanchor") == "left"
                and a.get("yanchor") == "bottom"]
    for a in headings:
        a["text"] = wrap_text(a["text"], width / a.get("font", {}).get("size", font))
    top = max(headings, key=lambda a: a.get("y", 0), default=None)
    return 0 if top is None else _line_height(font, _lines(top["text"]))


def _narrow_legend(spec: dict, font: float, width: float) -> int:
    """The legend's names wrapped to the plot's width, where the legend starts and wraps; px its rows take beyond
    those the chart made room for."""
    ems = (width - 48) / font  # 48 px: the symbol and the gaps around it
    # The charts a page narrows show their legend and set showlegend on every trace (値なし once, on its first).
    shown = [trace for trace in spec["data"] if trace["showlegend"]]
    names = [trace["name"] for trace in shown]  # as the chart made room for them
    rows: list[int] = []  # each row's height, in lines of its tallest name
    used = 0.0
    for trace in shown:
        trace["name"] = wrap_text(trace["name"], ems)
        w = 48 + font * max(text_ems(line) for line in trace["name"].split("<br>"))
        if not rows or used + w > width:
            rows.append(1)
            used = 0.0
        rows[-1] = max(rows[-1], _lines(trace["name"]))
        used += w
    needed = 28 * len(rows) + sum(_line_height(font, r) for r in rows)  # a row of names of several lines is taller
    return max(0, needed - 24 * _legend_rows(names))


def _narrow_value_range(spec: dict, font: float, width: float) -> None:
    """A ranking's value axis (labels outside its bars) made long enough for the widest label on each side to end
    inside a plot `width` px wide: the share of the axis the labels take, not a fixed margin of the values."""
    axis = spec["layout"].get("xaxis", {})
    bars = [t for t in spec["data"] if t.get("type") == "bar" and t.get("textposition") == "outside"]
    if "range" not in axis or not bars:
        return
    pairs = [(x, text_ems(str(t)) * font + 8) for b in bars for x, t in zip(b.get("x", []), b.get("text", []))]
    lo, hi = min([0.0, *(x for x, _ in pairs)]), max([0.0, *(x for x, _ in pairs)])
    left = max([0.0, *(w for x, w in pairs if x < 0)]) / width
    right = max([0.0, *(w for x, w in pairs if x >= 0)]) / width
    span = (hi - lo or 1.0) / max(1 - left - right, 0.2)
    axis["range"] = [lo - left * span, hi + right * span]


def _narrow_categories(spec: dict, font: float, plot_px: float) -> int:
    """A horizontal bar chart's category names wrapped, and its rows made tall enough for them; px the plot grows
    by."""
    axis = spec["layout"].get("yaxis", {})
    cats = axis.get("categoryarray")
    if axis.get("type") != "category" or not cats:
        return 0
    text = [wrap_text(str(c), NARROW_TICK_EMS) for c in cats]
    axis.update(tickmode="array", tickvals=list(cats), ticktext=text)
    row = max(_lines(t) for t in text) * font * LINE_PX + 8
    return max(0, math.ceil(row * len(cats) - plot_px))


def _narrow_axis_title(layout: dict, font: float, width: float) -> int:
    """The value axis's title with its note (※…) on lines of its own; px it grows by."""
    title = layout.get("xaxis", {}).get("title") or {}
    if "※" not in title.get("text", ""):
        return 0
    head, note = title["text"].split("※", 1)
    title["text"] = head.rstrip("　 ") + "<br>" + wrap_text("※" + note, width / font)
    return _line_height(font, _lines(title["text"]))


def _narrow_source(layout: dict, below: int, width: float) -> int:
    """The source line wrapped, `below` px lower (under what grew above it); px it grows by."""
    for a in layout.get("annotations", []):
        if a.get("name") == "source":
            size = a.get("font", {}).get("size", 12)
            a["text"] = wrap_text(a["text"], width / size)
            a["yshift"] = a.get("yshift", 0) - below
            return _line_height(size, _lines(a["text"]))
    return 0

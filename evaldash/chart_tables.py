"""A chart's numbers as a small table: the text alternative a screen reader reaches (a plotly chart is a picture).

Pure functions from the figure the page draws to a DataFrame of text, headers in Japanese. The table reads the
figure itself, so it always holds what the chart shows: the chart's own value labels where it has them (the unit
and the sign as drawn), otherwise the number formatted as the pages format numbers.
"""

from __future__ import annotations

from html import unescape

import pandas as pd
import plotly.graph_objects as go

from .charts import axis_key
from .normalize import is_missing
from .summary import decimals_of, fmt_number

NO_VALUE = "値なし"  # the chart has this category but no value there (a gap)
ABSENT = "－"  # the chart draws nothing for this category in this series
MAX_DECIMALS = 2  # a computed value (an index, a rate) without a label of its own: 111.43, not 111.428571
KIND_HEADER = "区分"
VALUE_HEADER = "値"


def _points(trace: dict) -> dict[str, str]:
    """The shown value of each category of one series, as plain text (the chart's labels are HTML-escaped)."""
    horizontal = trace.get("orientation") == "h"
    cats = list(trace.get("y" if horizontal else "x") or [])
    values = list(trace.get("x" if horizontal else "y") or [])
    labels = trace.get("text")  # the charts label every point of a series or none
    decimals = min(decimals_of(*values), MAX_DECIMALS)
    out = {}
    for i, (cat, value) in enumerate(zip(cats, values)):
        if is_missing(value):
            shown = NO_VALUE
        elif labels and str(labels[i]).strip():
            shown = unescape(str(labels[i]))
        else:
            shown = fmt_number(float(value), decimals)
        out[unescape(str(cat))] = shown
    return out


def _series(spec: dict, layout: dict) -> list[tuple[str, dict[str, str]]]:
    """(series name, points) for each trace that carries values, names made unique in order."""
    out: list[tuple[str, dict[str, str]]] = []
    seen: dict[str, int] = {}
    for trace in spec["data"]:
        # Marks on a hidden axis (the 値なし crosses) carry no value: their reason is said by the empty cell.
        hidden = layout.get(axis_key(trace.get("yaxis") or "y"), {}).get("visible") is False
        if trace.get("type", "scatter") not in ("bar", "scatter") or hidden:
            continue
        name = unescape(str(trace.get("name") or VALUE_HEADER))
        seen[name] = seen.get(name, 0) + 1
        out.append((name if seen[name] == 1 else f"{name}（{seen[name]}）", _points(trace)))
    return out


def _value_title(layout: dict, horizontal: bool) -> str:
    """What the values are, from the value axis's title (「前年度比（%）」, 「施策数」), else 「値」."""
    text = layout.get(axis_key("x" if horizontal else "y"), {}).get("title", {}).get("text")
    return unescape(str(text)) if text else VALUE_HEADER


def _chart_order(layout: dict, horizontal: bool, cats: list[str]) -> list[str]:
    """The categories top to bottom (or left to right) as the chart shows them."""
    axis = layout.get(axis_key("y" if horizontal else "x"), {})
    order = axis.get("categoryarray") or []
    rank = {unescape(str(c)): i for i, c in enumerate(order)}
    cats = sorted(cats, key=lambda c: rank.get(c, len(order)))  # stable: without an order, as the traces give them
    # A horizontal category axis runs upwards unless reversed: the table reads from the top bar down.
    return cats[::-1] if horizontal and axis.get("autorange") != "reversed" else cats


def figure_table(figure: go.Figure, category: str) -> pd.DataFrame:
    """The chart's numbers as text, one row a category (a year, a 運営方針, an indicator), in the chart's order.

    `category` is the header of the first column. With several series each on categories of its own (a ranking
    coloured by kind), one column gives the value and one the series (区分); otherwise a column a series.
    """
    spec = figure.to_plotly_json()
    layout = spec["layout"]
    horizontal = any(t.get("orientation") == "h" for t in spec["data"])
    series = _series(spec, layout)
    cats = _chart_order(layout, horizontal, list(dict.fromkeys(c for _, points in series for c in points)))
    owners = [[name for name, points in series if cat in points] for cat in cats]
    if len(series) > 1 and all(len(o) == 1 for o in owners):
        value_of = {c: v for _, points in series for c, v in points.items()}
        return pd.DataFrame({category: cats, _value_title(layout, horizontal): [value_of[c] for c in cats],
                             KIND_HEADER: [o[0] for o in owners]})
    columns = {name: [points.get(c, ABSENT) for c in cats] for name, points in series}
    return pd.DataFrame({category: cats, **columns})

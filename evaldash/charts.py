"""Plotly figures shared by the pages and the exports. No Streamlit here.

Colours are Okabe–Ito (safe for the common colour-vision deficiencies) and
fixed per 反映区分 and per 運営方針, so a colour means the same on every page.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .summary import decimals_of, fmt_number

FONT_FAMILY = "Noto Sans CJK JP, Noto Sans JP, Hiragino Sans, Meiryo, sans-serif"
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
# Lines on white: Okabe–Ito without its yellow, which is too pale to read as a thin line.
LINE_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000", "#8C8C8C"]
REFLECTION_COLORS = {"A": "#0072B2", "B": "#E69F00"}
OTHER_COLOR = "#8C8C8C"
ASSESSMENT_COLORS = {"good": "#0072B2", "bad": "#D55E00", "neutral": "#8C8C8C"}
ASSESSMENT_LABELS = {"good": "改善", "bad": "悪化", "neutral": "評価なし"}
STATUS_LABELS = {"no_value": "値なし（報告書に「-」）", "not_reported": "未報告", "reported": "報告値"}
MODES = {"absolute": "実数", "index": "指数（初年度=100）", "pct_change": "前年度比（%）"}


def reflection_color(letter: str | None) -> str:
    return REFLECTION_COLORS.get(letter or "", OTHER_COLOR)


def policy_color(policy_no: int) -> str:
    return OKABE_ITO[(int(policy_no) - 1) % len(OKABE_ITO)]


def safe_text(text) -> str:
    """Plotly reads a few HTML tags in labels; report text must show as written."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def year_label(fiscal_year: int, wareki_label: str, era: str) -> str:
    return wareki_label if era == "wareki" else f"{int(fiscal_year)}年度"


def _layout(fig: go.Figure, height: int, title: str | None = None) -> go.Figure:
    fig.update_layout(
        height=height,
        font=dict(family=FONT_FAMILY, size=14),
        margin=dict(l=10, r=20, t=60 if title else 30, b=10),
        title=dict(text=safe_text(title), x=0, xanchor="left") if title else None,
        hoverlabel=dict(font_family=FONT_FAMILY),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0, xanchor="left", title_text=""),
        plot_bgcolor="white",
    )
    fig.update_xaxes(showgrid=False, linecolor="#BBBBBB")
    fig.update_yaxes(gridcolor="#E5E5E5", zerolinecolor="#BBBBBB")
    return fig


def reflection_by_policy(frame: pd.DataFrame) -> go.Figure:
    """Stacked horizontal bars: measures per 運営方針 by 反映区分."""
    df = frame.copy()
    df["policy"] = df.apply(lambda r: safe_text(f"{int(r.policy_no):02d} {r.policy_name}"), axis=1)
    df["区分"] = df.apply(lambda r: safe_text(f"{r.reflection} {r.reflection_label or ''}".strip()), axis=1)
    colors = {
        safe_text(f"{r.reflection} {r.reflection_label or ''}".strip()): reflection_color(r.reflection)
        for r in df.itertuples()
    }
    order = sorted(df["policy"].unique())
    kinds = [k for _, k in sorted({(r.reflection or "~", r.区分) for r in df.itertuples()})]  # A before B
    fig = px.bar(
        df, x="measures", y="policy", color="区分", orientation="h", text="measures",
        color_discrete_map=colors, category_orders={"policy": order, "区分": kinds},
        labels={"measures": "施策数", "policy": ""},
        hover_data={"measures": True, "policy": False},
    )
    fig.update_traces(textposition="inside", insidetextanchor="middle", textfont_size=15)
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(dtick=1)
    return _layout(fig, height=120 + 48 * len(order))


def _transform(values: list[float | None], mode: str) -> list[float | None]:
    if mode == "absolute":
        return values
    if mode == "index":
        base = next((v for v in values if v is not None and not math.isnan(v)), None)
        if base in (None, 0):
            return [None for _ in values]
        return [None if v is None or math.isnan(v) else v / base * 100 for v in values]
    out: list[float | None] = [None]
    for a, b in zip(values, values[1:]):
        ok = a is not None and b is not None and not math.isnan(a) and not math.isnan(b) and a != 0
        out.append((b - a) / abs(a) * 100 if ok else None)
    return out


def trend_figure(
    series: pd.DataFrame,
    mode: str = "absolute",
    kind: str = "line",
    era: str = "wareki",
    targets: pd.DataFrame | None = None,
    height_per_panel: int = 300,
    show_labels: bool | None = None,
    title: str | None = None,
) -> go.Figure:
    """Small multiples by unit: indicators of one unit share a panel, never two units on one axis.

    `series` has indicator_id, indicator, unit, fiscal_year, fiscal_label, value, value_status, note
    (and optionally municipality). Missing values are gaps, marked on a hidden axis with the reason.
    """
    df = series.copy()
    years = sorted(df["fiscal_year"].unique())
    labels = {
        int(y): year_label(y, df.loc[df["fiscal_year"] == y, "fiscal_label"].iloc[0], era) for y in years
    }
    cats = [labels[int(y)] for y in years]
    df["x"] = df["fiscal_year"].map(lambda y: labels[int(y)])
    several_munis = "municipality" in df and df["municipality"].nunique() > 1
    df["name"] = df.apply(
        lambda r: f"{r.indicator}（{r.municipality}）" if several_munis else r.indicator, axis=1
    )
    # One line per indicator. Two indicators may share a name (「参加者数」 of two measures): they get the
    # 施策番号 beside it, so neither the legend nor the data merges them.
    names = df.drop_duplicates("indicator_id")[["indicator_id", "name", "measure_id"]]
    shared = names["name"].duplicated(keep=False)
    if shared.any():
        renamed = names.loc[shared].apply(lambda r: f"{r['name']}・施策 {r.measure_id}", axis=1)
        if renamed.duplicated().any():  # the same name twice in one measure: the id tells them apart
            renamed = names.loc[shared].apply(lambda r: f"{r['name']}・{r.indicator_id}", axis=1)
        df["name"] = df["indicator_id"].map(dict(zip(names["indicator_id"], names["name"].mask(shared, renamed))))
    unit_of_panel = (lambda u: u) if mode == "absolute" else (lambda u: "%" if mode == "pct_change" else "指数")
    df["panel"] = df["unit"].fillna("").map(unit_of_panel)
    panels = list(dict.fromkeys(df["panel"]))  # in the order the indicators came
    def panel_title(p):
        names = list(dict.fromkeys(df.loc[df["panel"] == p, "indicator"]))
        head = f"単位: {p}" if mode == "absolute" else MODES[mode]
        return safe_text(head + ("　" + "、".join(names) if len(names) <= 2 else f"　（{len(names)}指標）"))

    height = 90 + height_per_panel * len(panels)
    fig = make_subplots(
        rows=len(panels), cols=1, shared_xaxes=False,
        vertical_spacing=min(0.3, 90 / height) if len(panels) > 1 else 0.0,
        specs=[[{"secondary_y": True}] for _ in panels],
        subplot_titles=[panel_title(p) for p in panels],
    )
    # Value labels only where they stay legible: few years, and few lines sharing a panel.
    crowded = df.groupby("panel")["name"].nunique().max() > 2
    show_labels = (len(cats) <= 6 and not crowded) if show_labels is None else show_labels
    color_of = {}
    for k, name in enumerate(dict.fromkeys(df["name"])):
        color_of[name] = LINE_COLORS[k % len(LINE_COLORS)]
    gap_legend_shown = False
    for row, panel in enumerate(panels, start=1):
        pdf = df[df["panel"] == panel]
        drawn: list[float] = []
        for name, g in pdf.groupby("name", sort=False):
            g = g.set_index("x").reindex(cats)
            raw = [None if pd.isna(v) else float(v) for v in g["value"]]
            values = _transform(raw, mode)
            drawn.extend(v for v in values if v is not None)
            unit = pdf.loc[pdf["name"] == name, "unit"].iloc[0] or ""
            d = decimals_of(*[v for v in raw if v is not None])
            shown_unit = unit if mode == "absolute" else ("%" if mode == "pct_change" else "")
            text = [
                "" if v is None else (fmt_number(v, d if mode == "absolute" else 1) + safe_text(shown_unit))
                for v in values
            ]
            hover = [
                f"{safe_text(name)}<br>{x}: {t or '値なし'}"
                + (f"<br>実数: {fmt_number(r, d)}{safe_text(unit)}" if mode != "absolute" and r is not None else "")
                for x, t, r in zip(cats, text, raw)
            ]
            color = color_of[name]
            common = dict(x=cats, y=values, name=safe_text(name), legendgroup=safe_text(name),
                          hovertext=hover, hoverinfo="text", showlegend=True)
            if kind == "bar":
                fig.add_trace(go.Bar(**common, marker_color=color, text=text if show_labels else None,
                                     textposition="outside", cliponaxis=False), row=row, col=1)
            else:
                fig.add_trace(
                    go.Scatter(**common, mode="lines+markers+text" if show_labels else "lines+markers",
                               line=dict(color=color, width=3), marker=dict(size=9), connectgaps=False,
                               text=text if show_labels else None, textposition="top center", cliponaxis=False),
                    row=row, col=1,
                )
            # A gap says why: a hollow mark on a hidden 0..1 axis, never a value of zero.
            missing = g[g["value"].isna() & g["value_status"].notna()]
            if len(missing):
                reasons = [
                    f"{safe_text(name)}<br>{x}: {STATUS_LABELS.get(s, s)}"
                    + (f"<br>{safe_text(n)}" if isinstance(n, str) and n else "")
                    for x, s, n in zip(missing.index, missing["value_status"], missing["note"])
                ]
                fig.add_trace(
                    go.Scatter(x=list(missing.index), y=[0.04] * len(missing), mode="markers",
                               marker=dict(symbol="x-thin-open", size=14, color=color, line=dict(width=2)),
                               name="値なし", legendgroup="gap", showlegend=not gap_legend_shown,
                               hovertext=reasons, hoverinfo="text"),
                    row=row, col=1, secondary_y=True,
                )
                gap_legend_shown = True
        if targets is not None and mode == "absolute" and len(targets):
            for t in targets[targets["indicator_id"].isin(pdf["indicator_id"])].itertuples():
                drawn.append(float(t.target))
                fig.add_hline(y=t.target, line_dash="dash", line_color="#555555", row=row, col=1,
                              annotation_text=safe_text(f"目標 {fmt_number(t.target)}{t.unit or ''}"),
                              annotation_position="top left")
        fig.update_yaxes(range=[0, 1], visible=False, secondary_y=True, row=row, col=1, fixedrange=True)
        fig.update_yaxes(range=_headroom(drawn, mode), row=row, col=1, secondary_y=False, tickformat=",")
        fig.update_xaxes(type="category", categoryorder="array", categoryarray=cats, row=row, col=1)
    if kind == "bar":
        fig.update_layout(barmode="group")
    fig.update_annotations(font_size=14, x=0, xanchor="left")  # subplot titles, left-aligned like headings
    fig = _layout(fig, height=height, title=title)
    # The legend sits above the first panel's title, in a top margin sized for its rows.
    names = list(dict.fromkeys(df["name"])) + (["値なし"] if gap_legend_shown else [])
    rows = _legend_rows(names)
    top = 40 + 24 * rows + (40 if title else 0)
    fig.update_layout(
        height=height + 24 * rows,
        margin=dict(t=top),
        legend=dict(orientation="h", yref="container", y=1, yanchor="top", x=0, xanchor="left",
                    title_text=""),
    )
    return fig


def slide_figure(one: pd.DataFrame, mode: str = "absolute", kind: str = "line", era: str = "wareki",
                 targets: pd.DataFrame | None = None) -> go.Figure:
    """One indicator for a presentation slide: large type, no legend, only the target's note kept."""
    fig = trend_figure(one, mode=mode, kind=kind, era=era, targets=targets, height_per_panel=190)
    fig.update_layout(font_size=20, showlegend=False, margin=dict(l=90, r=40, t=30, b=60))
    fig.layout.annotations = [a for a in fig.layout.annotations if a.text and a.text.startswith("目標")]
    fig.update_xaxes(tickfont_size=20)
    fig.update_yaxes(tickfont_size=18)
    fig.update_traces(textfont_size=24, selector=dict(type="scatter"))
    return fig


def _legend_rows(names: list[str], width: int = 820) -> int:
    """How many rows a horizontal legend of these names takes at a laptop's chart width."""
    rows, used = 1, 0
    for name in names:
        w = 48 + 14 * len(name)  # symbol and gap, then about one em per Japanese character
        if used and used + w > width:
            rows, used = rows + 1, 0
        used += w
    return rows


def _headroom(values: list[float], mode: str) -> list[float] | None:
    """A y range with room above the highest point for its label, so labels never reach the panel title."""
    if not values:
        return None
    lo, hi = min(values), max(values)
    if mode == "absolute":
        lo = min(0.0, lo)
    span = (hi - lo) or abs(hi) or 1.0
    return [lo - (0.12 * span if lo < 0 or mode != "absolute" else 0.0), hi + 0.25 * span]


def change_bars(changes: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Δ% ranked as a diverging bar; colour says good or bad only where the metadata file knows."""
    df = changes.dropna(subset=["delta_pct"]).sort_values("delta_pct").copy()
    df["label"] = df["indicator"].map(lambda s: safe_text(s if len(s) <= 28 else s[:27] + "…"))
    df["評価"] = df["assessment"].map(ASSESSMENT_LABELS)
    df["hover"] = df.apply(
        lambda r: f"{safe_text(r.indicator)}<br>{r.prev_label} {fmt_number(r.prev_value)}{safe_text(r.unit)}"
        f" → {r.latest_label} {fmt_number(r.latest_value)}{safe_text(r.unit)}<br>{r.delta_pct:+.1f}%",
        axis=1,
    )
    fig = px.bar(
        df, x="delta_pct", y="label", color="評価", orientation="h",
        color_discrete_map={ASSESSMENT_LABELS[k]: v for k, v in ASSESSMENT_COLORS.items()},
        category_orders={"評価": [ASSESSMENT_LABELS[k] for k in ("good", "bad", "neutral")]},
        labels={"delta_pct": "前年度比（%）", "label": ""}, custom_data=["hover"],
        text=df["delta_pct"].map(lambda v: f"{v:+.1f}%"),
    )
    fig.update_traces(hovertemplate="%{customdata[0]}<extra></extra>", textposition="outside", cliponaxis=False,
                      width=0.7)
    fig.update_yaxes(categoryorder="array", categoryarray=list(df["label"]))
    fig.add_vline(x=0, line_color="#555555")
    lo, hi = min(0.0, df["delta_pct"].min()), max(0.0, df["delta_pct"].max())
    pad = (hi - lo) * 0.18 + 5  # room for the value labels outside the bars
    fig.update_xaxes(range=[lo - (pad if lo < 0 else 0), hi + pad])
    return _layout(fig, height=max(200, 110 + 30 * len(df)), title=title)


def mini_trend(series: pd.DataFrame, era: str = "wareki", target: float | None = None) -> go.Figure:
    """A small chart for one indicator on the measure card."""
    fig = trend_figure(series, mode="absolute", kind="line", era=era, height_per_panel=210, show_labels=True)
    fig.update_layout(showlegend=False, margin=dict(l=10, r=10, t=30, b=10), height=240)
    fig.layout.annotations = ()  # the card shows the unit beside the chart already
    if target is not None:
        fig.add_hline(y=target, line_dash="dash", line_color="#555555",
                      annotation_text=safe_text(f"目標 {fmt_number(target)}"), annotation_position="top left")
    return fig


def image_config(filename: str, fmt: str = "png") -> dict:
    """Plotly toolbar config: download as a 2x image with a meaningful Japanese file name."""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": fmt, "filename": filename, "scale": 2},
        "modeBarButtonsToRemove": ["lasso2d", "select2d"],
    }

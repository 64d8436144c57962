"""An A4 print layout of a measure card: one self-contained HTML file for the browser's print dialog.

Every piece of report text goes through html.escape; the file carries no script
and loads nothing from the network, so it prints the same anywhere.
"""

from __future__ import annotations

import itertools
from datetime import date
from html import escape

import duckdb
import pandas as pd

from .. import sql
from ..filters import policy_label
from ..normalize import is_missing
from ..summary import decimals_of, fmt_number, fmt_year_value
from .deck.selection import values_source

CSS = """
@page { size: A4; margin: 16mm 14mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", Meiryo, sans-serif;
       color: #1f2933; font-size: 10.5pt; line-height: 1.6; margin: 0; }
header { border-bottom: 2.5pt solid #0b3d66; padding-bottom: 4pt; margin-bottom: 8pt; }
.crumbs { color: #52606d; font-size: 9pt; }
h1 { font-size: 17pt; margin: 2pt 0; }
h2 { font-size: 12pt; margin: 12pt 0 4pt; color: #0b3d66; border-left: 4pt solid #0b3d66; padding-left: 6pt; }
.badge { display: inline-block; padding: 1pt 8pt; border-radius: 8pt; font-size: 9.5pt; font-weight: bold;
         margin-left: 8pt; vertical-align: middle; }
.badge.A { background: #d6e9f8; color: #0b4f80; } .badge.B { background: #fbeacc; color: #7a4d00; }
.badge.other { background: #e4e7eb; color: #3e4c59; }
.meta { color: #52606d; font-size: 9pt; }
ul { margin: 2pt 0 2pt 16pt; padding: 0; }
.indicator { border: 0.75pt solid #cbd2d9; border-radius: 4pt; padding: 6pt 8pt; margin: 6pt 0;
             page-break-inside: avoid; display: flex; gap: 10pt; }
.indicator .chart { flex: 0 0 62mm; }
.indicator .body { flex: 1 1 auto; }
table { border-collapse: collapse; font-size: 9.5pt; margin: 3pt 0; }
th, td { border: 0.5pt solid #cbd2d9; padding: 1pt 6pt; text-align: right; }
th { background: #f0f4f8; font-weight: normal; }
td:first-child, th:first-child { text-align: left; }
.sentence { font-weight: bold; }
footer { margin-top: 12pt; border-top: 0.75pt solid #cbd2d9; padding-top: 4pt; color: #52606d; font-size: 8.5pt; }
"""


def _svg_chart(series: pd.DataFrame, unit: str) -> str:
    """A small line chart as inline SVG: gaps stay gaps, labels carry the values."""
    width, height, pad_l, pad_r, pad_t, pad_b = 230, 120, 8, 8, 18, 22
    labels = series["fiscal_label"].tolist()  # indicator_series: in fiscal-year order
    values = [None if is_missing(v) else float(v) for v in series["value"]]
    shown = [v for v in values if v is not None]
    if not labels:
        return ""
    top = max(shown) if shown else 1.0
    top = top * 1.15 if top > 0 else 1.0
    inner = width - pad_l - pad_r - 40  # 20px each side so end labels fit
    xs = [pad_l + 20 + k * inner / (len(labels) - 1) for k in range(len(labels))] if len(labels) > 1 else [width / 2]

    def y(v):
        return pad_t + (height - pad_t - pad_b) * (1 - v / top)

    d = decimals_of(*shown)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">',
             f'<line x1="{pad_l}" y1="{height - pad_b}" x2="{width - pad_r}" y2="{height - pad_b}" stroke="#9aa5b1"/>']
    for has_values, run in itertools.groupby(zip(xs, values), key=lambda point: point[1] is not None):
        run = [f"{x:.1f},{y(v):.1f}" for x, v in run] if has_values else []
        if len(run) > 1:
            parts.append(f'<polyline fill="none" stroke="#0072B2" stroke-width="2.5" points="{" ".join(run)}"/>')
    for x, v, label in zip(xs, values, labels):
        parts.append(f'<text x="{x:.1f}" y="{height - 6}" font-size="9" text-anchor="middle" fill="#52606d">'
                     f"{escape(label)}</text>")
        if v is None:
            parts.append(f'<text x="{x:.1f}" y="{height - pad_b - 4}" font-size="10" text-anchor="middle" '
                         'fill="#8c8c8c">値なし</text>')
            continue
        parts.append(f'<circle cx="{x:.1f}" cy="{y(v):.1f}" r="3.5" fill="#0072B2"/>')
        parts.append(f'<text x="{x:.1f}" y="{y(v) - 7:.1f}" font-size="10" text-anchor="middle" fill="#1f2933">'
                     f"{escape(fmt_number(v, d) + unit)}</text>")
    parts.append("</svg>")
    return "".join(parts)


def card_html(con: duckdb.DuckDBPyConnection, municipality: str, measure_id: str) -> str:
    params = {"measure_id": measure_id, "municipality": municipality}
    cards = sql.run(con, "measure_card", {"measure_id": measure_id, "muni": [municipality]})
    if cards.empty:
        raise LookupError(f"no measure {measure_id} for {municipality}")
    card = cards.iloc[0]
    actions = sql.run(con, "measure_actions", params)
    directions = sql.run(con, "measure_directions", params)
    indicators = sql.run(con, "measure_indicators", params)
    series = sql.run(con, "indicator_series", {"ids": indicators["indicator_id"].tolist()})
    e = escape
    refl = card["reflection"] or ""
    out = [
        "<!DOCTYPE html><html lang=\"ja\"><head><meta charset=\"utf-8\">",
        f"<title>施策 {e(measure_id)} {e(card['initiative_name'])}</title><style>{CSS}</style></head><body>",
        "<header>",
        f"<div class=\"crumbs\">{e(municipality)} 施策評価表 {e(card['report_label'] or '')}　›　"
        f"{e(policy_label(card['policy_no'], card['policy_name']))}　›　"
        f"主な取組{int(card['initiative_no'])} {e(card['initiative_name'])}</div>",
        f"<h1>施策 {e(measure_id)}<span class=\"badge {e(refl) if refl in ('A', 'B') else 'other'}\">"
        f"反映区分 {e(refl)}：{e(card['reflection_label'] or '')}</span></h1>",
        f"<div>{e(card['purpose'])}</div>",
        f"<div class=\"meta\">担当部・課：{e(card['departments'])}</div>",
        "</header>",
        f"<h2>具体的な取組（{e(card['report_label'] or '')}）</h2>",
    ]
    for section, group in actions.groupby(actions["section"].fillna(""), sort=False):
        if section:
            out.append(f"<div><strong>（{e(section)}）</strong></div>")
        out.append("<ul>" + "".join(f"<li>{e(t)}</li>" for t in group["text"]) + "</ul>")
    out.append("<h2>評価指標</h2>")
    for ind in indicators.itertuples():
        s = series[series["indicator_id"] == ind.indicator_id]
        rows = "".join(
            f"<tr><td>{e(r.fiscal_label)}</td><td>{e(fmt_year_value(r.value, ind.unit, r.value_status))}</td></tr>"
            for r in s.itertuples()
        )
        note = f"<div class=\"meta\">{e(ind.note)}</div>" if isinstance(ind.note, str) and ind.note else ""
        source = values_source(s) or f"出典: {ind.source_file} {int(ind.source_line)}行"
        out.append(
            f"<div class=\"indicator\"><div class=\"chart\">{_svg_chart(s, ind.unit)}</div><div class=\"body\">"
            f"<div><strong>{e(ind.indicator)}</strong>（{e(ind.unit)}）</div>"
            f"<table><tr><th>年度</th><th>値</th></tr>{rows}</table>"
            f"<div class=\"sentence\">{e(ind.summary or '')}</div>{note}"
            f"<div class=\"meta\">{e(source)}</div></div></div>"
        )
    out.append("<h2>今後の取組の方向性</h2>")
    for row in directions.itertuples():
        head = f"<strong>（{e(row.section)}）</strong>" if isinstance(row.section, str) and row.section else ""
        out.append(f"<p>{head}{e(row.text)}</p>")
    out.append(
        f"<footer>出典: {e(municipality)} 施策評価表 {e(card['report_label'] or '')}"
        f"（{e(card['source_file'])} {int(card['source_line'])}行〜）　|　作成日 {date.today():%Y年%m月%d日}"
        "　|　施策評価ダッシュボード</footer></body></html>"
    )
    return "".join(out)

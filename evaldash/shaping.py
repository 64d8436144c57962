"""What pages draw, shaped from a query's result: run once per result through `ui.shaped`, not on every rerun.

A widget that changes no data reruns the whole page; pandas on the query results (groupby, assign, a row as a
Series) and building figures were most of such a rerun's own cost (BENCHMARKS.md, decisions log). Each function
takes a query's result (and plain values) and returns what the page draws: plain Python, small frames to show,
figures. The results are shared by every session: pages read them, never change them.
"""

from __future__ import annotations

import collections
import functools
import re
from dataclasses import dataclass
from typing import NamedTuple

import pandas as pd
import plotly.graph_objects as go

from . import charts
from .export.deck.selection import values_source
from .filters import policy_label
from .model import ID_SEPARATOR
from .summary import NO_VALUE, NOT_COMPARABLE, fmt_pct, fmt_signed, fmt_year_value


@functools.cache
def _row_type(columns: tuple[str, ...]):
    return collections.namedtuple("Row", columns)


def rows(frame: pd.DataFrame, *columns: str) -> list:
    """The named columns of each row, as tuples with those names, for a page's loops.

    DataFrame.itertuples() converts every column of an Arrow-backed result value by value, for the rows of 変化
    and all of a national store's measures on 施策カード. This converts the columns asked for, whole.
    """
    row = _row_type(columns)
    return [row(*values) for values in zip(*(frame[c].tolist() for c in columns))]


def first_row(frame: pd.DataFrame):
    """The first row as a named tuple of every column (None when there is none)."""
    found = rows(frame, *frame.columns)
    return found[0] if found else None


# The shared sidebar ------------------------------------------------------------------------------

def municipality_list(frame: pd.DataFrame) -> list[str]:
    return frame["municipality"].tolist()


def policy_names(frame: pd.DataFrame) -> dict[int, str]:
    """運営方針 number -> its name; cities number their own, so a number with other names in other cities says so."""
    # Plain loops, here, in sections_by_department and in action_groups: pandas' grouping costs milliseconds a call
    # on lists this short (BENCHMARKS.md, decisions log: small lists in plain Python).
    names: dict[int, dict[str, None]] = {}  # dicts as ordered sets: a national store has 1,700 names a number
    for no, name in zip(frame["policy_no"].tolist(), frame["policy_name"].tolist()):
        names.setdefault(int(no), {})[name] = None
    return {no: next(iter(ns)) if len(ns) == 1 else f"{next(iter(ns))} ほか{len(ns) - 1}件（自治体ごとの名称）"
            for no, ns in names.items()}


def sections_by_department(frame: pd.DataFrame) -> dict[str, list[str]]:
    """部 -> its 課, both in the query's order; a 部 with no 課 has an empty list."""
    out: dict[str, dict[str, None]] = {}  # dicts as ordered sets
    for dept, section in zip(frame["dept"].tolist(), frame["section"].tolist()):
        sections = out.setdefault(dept, {})
        if isinstance(section, str):
            sections[section] = None
    return {dept: list(sections) for dept, sections in out.items()}


def reflection_labels(frame: pd.DataFrame) -> dict[str, str]:
    return dict(zip(frame["reflection"].tolist(), frame["reflection_label"].tolist()))


def source_caption(labels: pd.DataFrame) -> str:
    """「出典: 苫小牧市 施策評価表 R1年度」 from `source_labels`."""
    if labels.empty:
        return ""
    if len(labels) > 3:  # a national store: name the count, not 1,700 cities
        years = "・".join(sorted(set("・".join(labels["labels"]).split("・"))))
        return f"出典: {len(labels):,} 自治体の施策評価表 {years}"
    return "出典: " + "、".join(f"{r.municipality} 施策評価表 {r.labels}" for r in rows(labels, "municipality", "labels"))


# 施策カード -----------------------------------------------------------------------------------------

def measure_choices(frame: pd.DataFrame, several_munis: bool) -> dict[str, str]:
    """The picker's values ("municipality|measure_id") in the query's order, each with its label."""
    return {
        f"{r.municipality}|{r.measure_id}": (f"{r.municipality} " if several_munis else "")
        + f"{r.measure_id}　{r.initiative_name}　（{policy_label(r.policy_no, r.policy_name)}）"
        for r in rows(frame, "municipality", "measure_id", "initiative_name", "policy_no", "policy_name")
    }


def action_groups(frame: pd.DataFrame) -> list[tuple[str, list[str]]]:
    """具体的な取組 by their (section), in the report's order; actions with no section under ""."""
    groups: dict[str, list[str]] = {}
    for section, text in zip(frame["section"].tolist(), frame["text"].tolist()):
        groups.setdefault(section if isinstance(section, str) else "", []).append(text)
    return list(groups.items())


class Panel(NamedTuple):
    figure: go.Figure  # its name, unit, years and source in the figure, for a saved image
    values: pd.DataFrame  # 年度 and 値 as the card shows them
    source: str  # every report and line its values come from


def indicator_panels(series: pd.DataFrame, targets: tuple[tuple[str, float], ...]) -> dict[str, Panel]:
    """Per indicator of `indicator_series`: its small chart (with its target, if any), its table of values and
    their source. An older report can give years the card's own report no longer shows."""
    target_of = dict(targets)
    panels = {}
    for indicator_id, one in series.groupby("indicator_id", sort=False):
        shown = [fmt_year_value(v, unit, status)
                 for v, unit, status in zip(one["value"].tolist(), one["unit"].tolist(), one["value_status"].tolist())]
        values = pd.DataFrame({"fiscal_label": one["fiscal_label"].tolist(), "表示": shown})
        target = target_of.get(indicator_id)
        unit = one["unit"].iloc[0]
        title = f"{one['indicator'].iloc[0]}（{'' if pd.isna(unit) else unit}、{year_span(one, 'wareki')}）"
        reports = "・".join(dict.fromkeys(one["report_label"].fillna("")))  # short, for a small chart
        figure = charts.mini_trend(one, target=target, title=title,
                                   source=f"出典: {one['municipality'].iloc[0]} 施策評価表 {reports}")
        panels[indicator_id] = Panel(figure, values, values_source(one))
    return panels


# 変化 --------------------------------------------------------------------------------------------

# 変化's chart of rates of change draws this many of the largest and of the smallest when there are more.
RANK_EACH = 20


@dataclass(frozen=True)
class ChangesView:
    table: pd.DataFrame  # the columns the table shows, 増減 and 増減率 first (signed_changes)
    order: list[str]  # the columns in the order a wide screen shows them
    prev_head: str  # the value columns' headers: the two years when every row compares the same two
    latest_head: str
    picks: list  # per table row: measure_id, municipality, indicator (a picked row's link)
    bars: go.Figure | None  # None: no row has a rate of change
    ranked: int  # rows with a rate of change; the chart draws RANK_EACH largest and smallest of more than twice that
    summaries: str  # the sentences for council material, one a line, the largest change first
    left_out: list[tuple[str, str]]  # (indicator, why) of the rows the chart leaves out: no rate of change


# Why a row has no 増減率, so no bar.
NO_RATE = {"zero": "前年度が0のため増減率を計算できません", "values": NOT_COMPARABLE}


# 増減 and 増減率: the only columns of the 変化 table that the styler formats, first in its frame.
SIGNED = ("delta", "delta_pct")
_signed_text = functools.lru_cache(maxsize=4096)(fmt_signed)  # a rerun formats the same values again
_pct_text = functools.lru_cache(maxsize=4096)(fmt_pct)


def signed_changes(table: pd.DataFrame):
    """The 変化 table with 増減 and 増減率 shown signed (+21, −3, ±0; +44.7%, ±0.0%) and kept numeric: the cells
    show the styler's text while a column still sorts by the number and a download stays a number. The columns
    must have no `format` of their own in the page's column_config, which would win over the text.

    Streamlit renders a styler's every cell on every rerun, which made the table most of 変化's rerun. So the page
    renders with pandas' `styler.render.max_columns` at len(SIGNED), the signed columns being first in the frame
    (changes_view puts them there), and gives the order on screen: the other cells show their own values."""
    return table.style.format({"delta": _signed_text, "delta_pct": _pct_text}, subset=list(SIGNED), na_rep=NO_VALUE)


def changes_view(changes: pd.DataFrame, several_munis: bool, source: str = "") -> ChangesView:
    prev, latest = changes["prev_label"].tolist(), changes["latest_label"].tolist()
    compared = [isinstance(d, str) for d in changes["direction"].tolist()]
    table = changes.assign(
        評価=[charts.ASSESSMENT_LABELS.get(a) if c else "比較できる値なし"
              for a, c in zip(changes["assessment"].tolist(), compared)],
        prev_label=[p if isinstance(p, str) else NO_VALUE for p in prev],
        latest_label=[v if isinstance(v, str) else NO_VALUE for v in latest],
    )
    # When every row compares the same two years (one report), the years head the value columns and the two label
    # columns go: 指標 gets their room on a 1366-px laptop. Otherwise generic headers, with the years last.
    # Rows with no two years to compare have no values under these headers.
    years = list(dict.fromkeys((p, v) for p, v in zip(prev, latest) if isinstance(p, str) and isinstance(v, str)))
    same_years = len(years) == 1
    prev_head, latest_head = years[0] if same_years else ("前年度値", "最新値")
    # No 動き column: the sign of 増減 and 増減率 says it, and 指標 needs the room more.
    columns = (["municipality"] if several_munis else []) + [
        "policy_no", "measure_id", "indicator", "unit", "prev_value", "latest_value", "delta", "delta_pct", "評価",
    ] + ([] if same_years else ["prev_label", "latest_label"])
    shown = _shown(table, columns)
    bars = changes.dropna(subset=["delta_pct"])
    ranked = len(bars)
    title = "増減率の順位" + (f"（{years[0][0]}→{years[0][1]}）" if same_years else "")
    if ranked > 2 * RANK_EACH:  # a bar is 30 px: a thousand rows drew a chart 30,000 px tall
        bars = pd.concat([bars.nlargest(RANK_EACH, "delta_pct"), bars.nsmallest(RANK_EACH, "delta_pct")])
    return ChangesView(
        shown, columns, prev_head, latest_head, rows(changes, "measure_id", "municipality", "indicator"),
        charts.change_bars(bars, title=title, source=source) if len(bars) else None, ranked,
        _summaries(changes, several_munis), _left_out(changes),
    )


def _shown(table: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The columns the table shows, the signed ones first for signed_changes; text as plain objects (pandas' styler
    walks them faster than Arrow strings), missing text empty as the styler showed it."""
    text = {c for c in columns if table[c].dtype == "string"}
    return pd.DataFrame({c: table[c].astype(object).fillna("") if c in text else table[c]
                         for c in [*SIGNED, *(c for c in columns if c not in SIGNED)]}, index=table.index)


def _left_out(changes: pd.DataFrame) -> list[tuple[str, str]]:
    """The rows with no 増減率, and why: from 0, or fewer than two years of values."""
    return [(f"{r.indicator}（施策 {r.measure_id}）", NO_RATE["zero" if r.prev_value == 0 else "values"])
            for r in rows(changes, "indicator", "measure_id", "prev_value", "delta_pct") if pd.isna(r.delta_pct)]


def _summaries(changes: pd.DataFrame, several_munis: bool) -> str:
    """The sentences, one a line, the largest change (|増減率|) first and those with none last, whatever order the
    table has; each names its city when the store holds several (the sentence does not)."""
    size = changes["delta_pct"].abs().fillna(-1).tolist()
    order = sorted(range(len(size)), key=lambda i: -size[i])  # stable: ties keep the report's order
    texts, cities = changes["summary"].tolist(), changes["municipality"].tolist()
    return "\n".join(f"{cities[i]}：{texts[i]}" if several_munis else texts[i] for i in order)


REPORT_CHANGE_KINDS = {"measure_added": "施策の追加", "measure_dropped": "施策の廃止", "reflection_changed": "反映区分の変更",
                       "indicator_added": "指標の追加", "indicator_removed": "指標の削除"}


def report_change_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The differences between two years' reports (the columns `report_changes` selects), each kind named."""
    return frame.assign(kind=[REPORT_CHANGE_KINDS.get(k, k) for k in frame["kind"].tolist()])


# 概要 ---------------------------------------------------------------------------------------------

def policy_bars(frame: pd.DataFrame, cap: int, source: str = "") -> tuple[go.Figure, int, list[int]]:
    """The chart of the first `cap` 運営方針 in its order (city by city, 01 at the top); how many there are, each
    city having its own (the count is the headline's 運営方針); and the numbers among them, for the 現況と基本目標
    picker."""
    keys = list(zip(frame["municipality"].tolist(), frame["policy_no"].tolist(), frame["policy_name"].tolist()))
    distinct = sorted(set(keys))
    bars = frame
    if len(distinct) > cap:
        keep = set(distinct[:cap])
        bars = frame[[k in keep for k in keys]]
    several = len({k[0] for k in distinct}) > 1
    figure = charts.reflection_by_policy(bars, with_city=several, title="運営方針ごとの施策数（反映区分別）", source=source)
    return figure, len(distinct), sorted({int(no) for _, no, _ in keys})


# データ --------------------------------------------------------------------------------------------

def flat_summary(frame: pd.DataFrame) -> tuple[list[str], int, int]:
    """The table's municipalities in its order, its number of indicators and its number of rows."""
    return list(dict.fromkeys(frame["municipality"].tolist())), frame["indicator_id"].nunique(), len(frame)


def wide_table(frame: pd.DataFrame, several_munis: bool) -> tuple[pd.DataFrame, list[str]]:
    """`indicator_wide` laid out: the columns shown, its list of values per fiscal year as one column a year; and
    the fiscal years' labels, those columns' names."""
    labels = list(frame["year_labels"].iloc[0]) if len(frame) else []
    years = pd.DataFrame(frame["year_values"].tolist(), columns=labels, index=frame.index)
    columns = (["municipality"] if several_munis else []) + ["policy_no", "measure_id", "indicator", "unit",
                                                             "reflection"]
    return pd.concat([frame[columns], years, frame[["trend"]]], axis=1), labels


# 推移 ---------------------------------------------------------------------------------------------

def indicator_labels(frame: pd.DataFrame, by_name: bool) -> dict[str, str]:
    """The picker's choices and labels: by name (`indicator_names`, several cities) or by indicator
    (`indicator_options`, one city), in the query's order."""
    if by_name:
        return {r.indicator: f"{r.indicator}（{r.unit}）" for r in rows(frame, "indicator", "unit")}
    return {r.indicator_id: f"[{r.policy_no:02d}] {r.indicator}（{r.unit}）"
            for r in rows(frame, "indicator_id", "policy_no", "indicator", "unit")}


def linked_indicator(value: str, choices: list[str]) -> str:
    """An indicator named in an older link: ids joined the code and the digest with `-` before codes could hold one
    (store schema 6), and had eight hex digits before schema 5; the current id has the same digest, its first eight
    for the oldest links."""
    old = re.fullmatch(r"(.+)-([0-9a-f]{8}|[0-9a-f]{16})", value)
    if value in choices or not old:
        return value
    found = [c for c in choices if c.startswith(f"{old[1]}{ID_SEPARATOR}{old[2]}")]
    return found[0] if len(found) == 1 else value


def series_title(series: pd.DataFrame) -> str:
    """The charted indicators' names, for a file name."""
    return "、".join(dict.fromkeys(series["indicator"].tolist()))


def year_span(series: pd.DataFrame, era: str) -> str:
    """「H30年度〜R1年度」: the first and last fiscal year of the series, as its chart labels them."""
    if series.empty:
        return ""
    labels = dict(zip(series["fiscal_year"].tolist(), series["fiscal_label"].tolist()))
    first, last = min(labels), max(labels)
    names = [charts.year_label(y, labels[y], era) for y in (first, last)]
    return names[0] if first == last else "〜".join(names)


def trend_chart(series: pd.DataFrame, mode: str, kind: str, era: str, targets: tuple, source: str = "") -> go.Figure:
    """charts.trend_figure of `indicator_series`; targets are `indicator_targets` rows as named tuples. The title
    (the indicators, the mode, the years) and the source are in the figure, so a saved image says them too."""
    indicators = list(dict.fromkeys(series["indicator"].tolist()))
    names = "、".join(indicators) if len(indicators) <= 2 else f"{indicators[0]}ほか{len(indicators) - 1}指標"
    names = names if len(names) <= 40 else names[:39] + "…"
    title = f"{names}（{charts.MODES[mode]}、{year_span(series, era)}）"
    return charts.trend_figure(series, mode=mode, kind=kind, era=era, targets=pd.DataFrame(targets), title=title,
                               source=source)


@dataclass(frozen=True)
class Slide:
    row: tuple  # the indicator's first row of `indicator_series`, a named tuple
    figure: go.Figure
    subtitle: str  # 「実数（単位: 人）　|　H30年度〜R1年度　|　施策 1110321」
    source: str  # 「出典: 苫小牧市 施策評価表 R1年度（tomakomai_R1.txt 256行）」


def slide(series: pd.DataFrame, indicator_id: str, mode: str, kind: str, era: str, targets: tuple) -> Slide:
    """発表モード's slide of one indicator of `indicator_series` (targets as for trend_chart); its figure carries
    the slide's title, subtitle and source, so that an image saved from it says what and whence."""
    one = series[series["indicator_id"] == indicator_id]
    row = first_row(one)
    years = [charts.year_label(y, label, era)
             for y, label in zip(one["fiscal_year"].tolist(), one["fiscal_label"].tolist())]
    unit = "" if pd.isna(row.unit) else row.unit
    subtitle = f"{charts.MODES[mode]}（単位: {unit}）　|　{years[0]}〜{years[-1]}　|　施策 {row.measure_id}"
    source = values_source(one)  # as the deck's slide names them
    figure = charts.slide_figure(one, mode=mode, kind=kind, era=era, targets=pd.DataFrame(targets),
                                 title=(row.indicator, subtitle), source=source)
    return Slide(row, figure, subtitle, source)


# 取込 ---------------------------------------------------------------------------------------------

SOURCE_KINDS = {"report": "報告書（テキスト）", "template": "テンプレート（CSV・Excel）"}


def source_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The files the store was built from (the columns `sources` selects), as 取込 lists them: each kind in words."""
    return frame.assign(source_kind=[SOURCE_KINDS.get(k, k) for k in frame["source_kind"].tolist()])

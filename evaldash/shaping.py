"""What pages draw, shaped from a query's result: run once per result through `ui.shaped`, not on every rerun.

A widget that changes no data reruns the whole page; pandas on the query results (groupby, assign, a row as a
Series) and the charts' cache keys were most of such a rerun's own cost (bench/warm_breakdown.py). Each function
takes a query's result (and plain values) and returns what the page draws: plain Python, small frames to show,
figures. The results are shared by every session: pages read them, never change them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from . import charts
from .summary import fmt_number

# 施策カード: a year's value as the card's table shows it.
VALUE_STATUS = {"reported": "", "no_value": "－（値なし）"}


def _columns(frame: pd.DataFrame, *columns: str) -> list:
    from .ui import rows  # ui imports streamlit; rows is a plain function

    return rows(frame, *columns)


def first_row(frame: pd.DataFrame):
    """The first row as a named tuple of every column (None when there is none)."""
    found = _columns(frame, *frame.columns)
    return found[0] if found else None


@dataclass(frozen=True)
class MeasureChoices:
    keys: list[str]  # "municipality|measure_id", the picker's values in the query's order
    labels: dict[str, str]
    measure_ids: frozenset[str]


def measure_choices(frame: pd.DataFrame, several_munis: bool) -> MeasureChoices:
    listed = _columns(frame, "municipality", "measure_id", "initiative_name", "policy_no", "policy_name")
    labels = {
        f"{r.municipality}|{r.measure_id}": (f"{r.municipality} " if several_munis else "")
        + f"{r.measure_id}　{r.initiative_name}　（運営方針{r.policy_no:02d} {r.policy_name}）"
        for r in listed
    }
    return MeasureChoices(list(labels), labels, frozenset(r.measure_id for r in listed))


def action_groups(frame: pd.DataFrame) -> list[tuple[str, list[str]]]:
    """具体的な取組 by their (section), in the report's order; actions with no section under ""."""
    groups: dict[str, list[str]] = {}
    for section, text in zip(frame["section"].tolist(), frame["text"].tolist()):
        groups.setdefault(section if isinstance(section, str) else "", []).append(text)
    return list(groups.items())


@dataclass(frozen=True)
class IndicatorPanel:
    figure: go.Figure
    values: pd.DataFrame  # 年度 and 値 as the card's table shows them


def indicator_panels(series: pd.DataFrame, targets: tuple[tuple[str, float], ...]) -> dict[str, IndicatorPanel]:
    """Per indicator of `indicator_series`: its small chart (with its target, if any) and its table of values."""
    target_of = dict(targets)
    panels = {}
    for indicator_id, one in series.groupby("indicator_id", sort=False):
        shown = [fmt_number(v) + unit if status == "reported" else VALUE_STATUS.get(status, status)
                 for v, unit, status in zip(one["value"].tolist(), one["unit"].tolist(), one["value_status"].tolist())]
        values = pd.DataFrame({"fiscal_label": one["fiscal_label"].tolist(), "表示": shown})
        target = target_of.get(indicator_id)
        panels[indicator_id] = IndicatorPanel(charts.mini_trend(one, target=target), values)
    return panels

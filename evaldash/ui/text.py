"""Text for the pages: report and user text shown as written, findings, empty results, tables, a chart's numbers."""

from __future__ import annotations

import re

import streamlit as st

from ..chart_tables import figure_table
from ..report import Finding
from ..summary import NO_VALUE

EMPTY_MESSAGE = "該当する指標がありません"

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=])")


def md_escape(text: str | None) -> str:
    """Report text shown through st.markdown must show as written: no links, images or markup."""
    if not text:
        return ""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def badge_text(text: str | None) -> str:
    """st.badge escapes brackets itself; the inline marks it still reads are escaped here."""
    return re.sub(r"([*_~`$:\\])", r"\\\1", text or "")


def caption(text: str) -> None:
    """A caption that may carry report or user text: shown as written."""
    st.caption(md_escape(text))


def dataframe(frame, **options):
    """A table as every page shows one: without the index, a missing value as the report's 「-」."""
    return st.dataframe(frame, hide_index=True, placeholder=NO_VALUE, **options)


def show_findings(findings: list[Finding], headline: str) -> None:
    box = st.error if any(f.severity == "error" for f in findings) else st.warning
    more = f"\n… ほか {len(findings) - 50} 件" if len(findings) > 50 else ""
    box(md_escape(headline))
    st.code("\n".join(map(str, findings[:50])) + more, language=None, wrap_lines=True)


def empty_notice(message: str) -> None:
    st.info(message, icon=":material/search_off:")


CHART_TABLE_LABEL = "グラフの数値（表）"


def _escaped_table(figure, category: str):
    """Figures come shared from ui.shaped and never change: each keeps its tables, escaped, so a rerun reads them
    instead of walking the figure again (plotly lets a figure carry attributes whose names start with "_")."""
    tables = figure.__dict__.setdefault("_escaped_tables", {})
    if category not in tables:
        tables[category] = figure_table(figure, category).rename(columns=md_escape).map(md_escape)
    return tables[category]


def chart_table(figure, category: str, box=None) -> None:
    """The chart's numbers under it as a real table, which a screen reader reaches (st.dataframe is a canvas);
    in `box` (a popover, say) instead of a fold under the chart where the chart needs the room.

    st.table reads Markdown in every cell, and the names come from the report: each is shown as written.
    """
    table = _escaped_table(figure, category)
    with box if box is not None else st.expander(CHART_TABLE_LABEL, icon=":material/table:"):
        st.table(table, hide_index=True)

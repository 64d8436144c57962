"""What goes in a deck: the selected indicators, each with its values by year and where they come from.

Read from the store through the named queries only; shared with the Excel views.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from ... import sql
from ...filters import describe
from ...normalize import fiscal_year, plain_values
from ...summary import decimals_of

_UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f\s]')


class EmptySelection(ValueError):
    """No indicator matches the filters: there is nothing to put in a deck."""


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
    def decimals(self) -> int:
        return decimals_of(*(p.value for p in self.points))

    def values_in(self, years: list[tuple[int, str]]) -> list[float | None]:
        """Its value in each of these (fiscal year, label), None where it has none."""
        by_year = {p.fiscal_year: p.value for p in self.points}
        return [by_year.get(fy) for fy, _ in years]


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
    rows = plain_values(sql.run(con, "export_indicators", query_params(filters))).to_dict("records")
    if not rows:
        return []
    items = {r["indicator_id"]: Item(r) for r in rows}
    series = plain_values(sql.run(con, "indicator_series", {"ids": list(items)})).to_dict("records")
    for s in series:  # indicator_series gives each indicator's points in fiscal-year order
        item = items[s["indicator_id"]]  # the series of exactly these ids
        item.points.append(Point(int(s["fiscal_year"]), s["fiscal_label"], s["value"], s["value_status"]))
        src = (s["municipality"], s["report_label"], s["source_file"], int(s["source_line"]))
        if src not in item.sources:
            item.sources.append(src)
    for item in items.values():
        if not item.sources and item.row.get("source_file"):
            item.sources.append((item.row["municipality"], item.row.get("report_label") or "",
                                 item.row["source_file"], int(item.row["source_line"])))
    return list(items.values())


def source_text(sources: list[tuple[str, str, str, int]], with_lines: bool = True) -> str:
    """「出典: 苫小牧市 施策評価表 R1年度（tomakomai_R1.txt 256行）」, several reports joined by 、."""
    groups: dict[tuple[str, str, str], set[int]] = {}
    for muni, label, file, line in sources:
        groups.setdefault((muni, label, file), set()).add(line)
    parts = [f"{muni} 施策評価表 {label}（{file}"
             + (f" {'・'.join(str(n) for n in sorted(lines))}行）" if with_lines else "）")
             for (muni, label, file), lines in groups.items()]
    return "出典: " + "、".join(parts) if parts else ""


def values_source(rows: pd.DataFrame) -> str:
    """source_text of every report the values in `rows` (of `indicator_series`) were taken from: a newer report
    gives the years it shows, an older one the years only it shows. Lines only if every row says its line
    (a template's row may not)."""
    lines = rows["source_line"]
    return source_text(list(zip(rows["municipality"], rows["report_label"].fillna(""), rows["source_file"],
                                lines.fillna(0).astype(int))), with_lines=bool(lines.notna().all()))


def describe_filters(con: duckdb.DuckDBPyConnection, filters: dict | None) -> list[str]:
    """The filters in words, one line each: 運営方針03 男女平等参画の推進 / 反映区分 B（…）."""
    p = query_params(filters)
    names = dict(sql.run(con, "policy_options", {"muni": p["muni"]})[["policy_no", "policy_name"]]
                 .itertuples(index=False, name=None)) if p["pol"] else {}
    labels = dict(sql.run(con, "reflection_options")[["reflection", "reflection_label"]]
                  .itertuples(index=False, name=None)) if p["refl"] else {}
    return describe(p, names, labels, labelled=True)


def selection_file_name(labels: pd.DataFrame, kind: str, muni: tuple, pol: tuple) -> str:
    """施策評価_推移_運営方針03_R1年度.pptx from `source_labels` of the chosen cities (ui.download_name).

    `kind` is the page (推移, 変化); then the chosen cities, the chosen 運営方針 and the latest report year of the
    chosen cities' reports. Characters a file system refuses become _."""
    joined = "・".join(labels["labels"].dropna())
    years = [label for label in joined.split("・") if fiscal_year(label) is not None]
    parts = ["施策評価", kind, *muni]
    if pol:
        parts.append("運営方針" + "・".join(f"{int(n):02d}" for n in sorted(pol)))
    if years:
        parts.append(max(years, key=fiscal_year))
    return _UNSAFE_IN_NAMES.sub("_", "_".join(parts))[:120] + ".pptx"

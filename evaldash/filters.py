"""The shared filter: its fields, its SQL parameters and its description in words.

The sidebar fills it, every query that filters takes its parameters (evaldash/schema.sql's macros), and the
pages' headers and the exports' title slides describe it. No Streamlit here: the exports use it too.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, fields
from typing import Callable

# Characters the keyword search keeps at most (the box, and a link's `q`).
MAX_SEARCH = 100


def clean_search(text: str | None) -> str:
    """Search box and URL text: no control characters, bounded length."""
    if not text:
        return ""
    text = "".join(ch for ch in unicodedata.normalize("NFKC", str(text)) if unicodedata.category(ch)[0] != "C")
    return text.strip()[:MAX_SEARCH]


def short_policy_label(no, name) -> str:
    """「03 男女平等参画の推進」: a 運営方針 where the context says it is one (a sidebar choice, a bar)."""
    return f"{int(no):02d} {name or ''}".strip()


def policy_label(no, name) -> str:
    """「運営方針03 男女平等参画の推進」."""
    return f"運営方針{short_policy_label(no, name)}" if no is not None else str(name or "")


@dataclass(frozen=True)
class Filters:
    """What the sidebar selects; an empty field selects everything."""

    muni: list[str]
    pol: list[int]
    dept: list[str]
    sec: list[str]
    refl: list[str]
    q: str
    several_munis: bool  # the store has more than one city (not a parameter: how pages lay out)

    def params(self) -> dict:
        """The bound parameters every filtering query takes (sql.EMPTY_FILTER's names)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "several_munis"}


def describe(params: dict, policy_names: dict[int, str], reflection_labels: dict[str, str],
             labelled: bool = False) -> list[str]:
    """The filter in words, a part a field, or ["すべての施策"].

    Terse for a page's header (「苫小牧市 / 反映区分A / 「女性」を含む」, joined by the caller); labelled, one
    line a field, for an export's title slide (「自治体 苫小牧市」「反映区分 A（趣旨に沿って措置したもの）」), which
    also names what only the exports take: `measures`, `indicators` and `min_abs_pct`.
    """
    def named(label: str, values) -> str:
        return f"{label} {'・'.join(values)}" if labelled else "、".join(values)

    p = params
    parts = []
    if p.get("muni"):
        parts.append(named(FIELD_LABELS["muni"], p["muni"]))
    if p.get("pol"):
        parts.append("、".join(policy_label(n, policy_names.get(n, "")) for n in sorted(p["pol"])))
    if p.get("measures"):
        parts.append("施策番号 " + "、".join(p["measures"]))
    if p.get("dept"):
        parts.append(named(FIELD_LABELS["dept"], p["dept"]))
    if p.get("sec"):
        parts.append(named(FIELD_LABELS["sec"], p["sec"]))
    if p.get("refl"):
        labels = [f"{r}（{reflection_labels[r]}）" if reflection_labels.get(r) else r for r in sorted(p["refl"])]
        parts.append("反映区分 " + "、".join(labels) if labelled else "、".join(f"反映区分{r}" for r in sorted(p["refl"])))
    if p.get("q"):
        parts.append(f"検索語「{p['q']}」" if labelled else f"「{p['q']}」を含む")
    if p.get("indicators"):
        parts.append(f"選択した指標 {len(p['indicators'])}件")
    if p.get("min_abs_pct"):
        parts.append(f"増減率 {p['min_abs_pct']:g}% 以上")
    return parts or ["すべての施策"]


# Each field's label: on its sidebar widget, in describe()'s lines, and naming a choice to take out (「『反映区分: C』を外す」).
FIELD_LABELS = {"muni": "自治体", "pol": "運営方針", "dept": "担当部", "sec": "担当課", "refl": "反映区分",
                "q": "キーワード検索"}
# Choices an empty view tries taking out at most (each one query).
MAX_REMOVALS = 12


@dataclass(frozen=True)
class Removal:
    """One choice of the filter taken out: `field` loses `value` (the search, its whole text)."""

    field: str
    value: object
    label: str  # 「反映区分: C」
    params: dict  # the filter without it


def removals(params: dict, policy_names: dict[int, str] | None = None) -> list[Removal]:
    """Each single choice of the filter, with the filter that remains when it is taken out."""
    out = []
    for field, label in FIELD_LABELS.items():
        chosen = params.get(field)
        if not chosen:
            continue
        for value in [chosen] if field == "q" else chosen:
            shown = short_policy_label(value, (policy_names or {}).get(value)) if field == "pol" else value
            rest = "" if field == "q" else [v for v in chosen if v != value]
            out.append(Removal(field, value, f"{label}: {shown}", {**params, field: rest}))
    return out[:MAX_REMOVALS]


def culprits(params: dict, count: Callable[[dict], int], policy_names: dict[int, str] | None = None) -> list[Removal]:
    """The single choices whose removal gives rows back: what emptied the view. `count(params)` counts rows."""
    return [r for r in removals(params, policy_names) if count(r.params) > 0]


def facet_counts(result) -> dict[str, dict[str, int]]:
    """facet_counts.sql's rows as {facet: {value: measures}}; values are text (a 運営方針 number as "3")."""
    counts: dict[str, dict[str, int]] = {}
    for facet, value, n in result[["facet", "value", "measures"]].itertuples(index=False):
        counts.setdefault(facet, {})[str(value)] = int(n)
    return counts


def with_count(label: str, counts: dict[str, int], value) -> str:
    """「03 地域活動の促進（12）」: the option with the measures it would select (0 when it would select none)."""
    return f"{label}（{counts.get(str(value), 0)}）"


def match_places(hit) -> str:
    """Where a search hit matched, from search_hits.sql's row: 「指標名「…」・目的」, or 「施策名・担当など」."""
    places = [(hit.in_indicator, f"指標名「{hit.indicator}」"), (hit.in_purpose, "目的"), (hit.in_actions, "具体的な取組")]
    return "・".join(place for matched, place in places if matched) or "施策名・担当など"

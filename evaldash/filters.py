"""The shared filter: its fields, its SQL parameters and its description in words.

The sidebar fills it, every query that filters takes its parameters (evaldash/schema.sql's macros), and the
pages' headers and the exports' title slides describe it. No Streamlit here: the exports use it too.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, fields

# Characters the keyword search keeps at most (the box, and a link's `q`).
MAX_SEARCH = 100


def clean_search(text: str | None) -> str:
    """Search box and URL text: no control characters, bounded length."""
    if not text:
        return ""
    text = "".join(ch for ch in unicodedata.normalize("NFKC", str(text)) if unicodedata.category(ch)[0] != "C")
    return text.strip()[:MAX_SEARCH]


def policy_label(no, name) -> str:
    """「運営方針03 男女平等参画の推進」."""
    return f"運営方針{int(no):02d} {name}".strip() if no is not None else str(name or "")


@dataclass(frozen=True)
class Filters:
    """What the sidebar selects; an empty field selects everything."""

    muni: list[str]
    pol: list[int]
    dept: list[str]
    sec: list[str]
    refl: list[str]
    q: str
    several_munis: bool = False  # the store has more than one city (not a parameter: how pages lay out)

    def params(self) -> dict:
        """The bound parameters every filtering query takes (sql.EMPTY_FILTER's names)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "several_munis"}


def describe(params: dict, policy_names: dict[int, str], reflection_labels: dict[str, str],
             labelled: bool = False) -> list[str]:
    """The filter in words, a part a field, or ["すべての施策"].

    Terse for a page's header (「苫小牧市 / 反映区分A / 「女性」を含む」, joined by the caller); labelled, one
    line a field, for an export's title slide (「市町村 苫小牧市」「反映区分 A（趣旨に沿って措置したもの）」), which
    also names what only the exports take: `measures`, `indicators` and `min_abs_pct`.
    """
    def named(label: str, values) -> str:
        return f"{label} {'・'.join(values)}" if labelled else "、".join(values)

    p = params
    parts = []
    if p.get("muni"):
        parts.append(named("市町村", p["muni"]))
    if p.get("pol"):
        parts.append("、".join(policy_label(n, policy_names.get(n, "")) for n in sorted(p["pol"])))
    if p.get("measures"):
        parts.append("施策番号 " + "、".join(p["measures"]))
    if p.get("dept"):
        parts.append(named("担当部", p["dept"]))
    if p.get("sec"):
        parts.append(named("担当課", p["sec"]))
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

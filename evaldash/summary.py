"""Plain-Japanese sentences and number formatting shared by the pages and the exports."""

from __future__ import annotations

from .normalize import is_missing


def decimals_of(*values: float | None) -> int:
    """How many decimals the report used for these values (26.9 -> 1, 9,943,885 -> 0)."""
    best = 0
    for v in values:
        if is_missing(v):
            continue
        text = f"{abs(v):.6f}".rstrip("0").rstrip(".")
        if "." in text:
            best = max(best, len(text.split(".")[1]))
    return best


def fmt_number(value: float | None, decimals: int | None = None) -> str:
    if is_missing(value):
        return "－"
    d = decimals_of(value) if decimals is None else decimals
    return f"{value:,.{d}f}"


def fmt_pct(pct: float | None) -> str:
    if is_missing(pct):
        return "－"
    return f"{pct:+.1f}%"


def change_sentence(indicator: str, unit: str, prev: float | None, latest: float | None) -> str:
    """「女性人材バンク登録者数は47人から68人へ21人増加（+44.7%）しました。」"""
    unit = unit or ""
    if is_missing(prev) or is_missing(latest):
        return f"{indicator}は比較できる2年度分の値がありません。"
    d = decimals_of(prev, latest)
    delta = round(latest - prev, d)
    # A change in a percentage is in points, not in per cent of a per cent.
    delta_unit = "ポイント" if unit in ("%", "％") else unit
    a, b = fmt_number(prev, d), fmt_number(latest, d)
    if delta == 0:
        return f"{indicator}は{b}{unit}で前年度と同じでした。"
    word = "増加" if delta > 0 else "減少"
    amount = fmt_number(abs(delta), d)
    pct = "" if prev == 0 else f"（{fmt_pct((latest - prev) / abs(prev) * 100)}）"
    return f"{indicator}は{a}{unit}から{b}{unit}へ{amount}{delta_unit}{word}{pct}しました。"

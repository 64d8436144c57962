"""Plain-Japanese sentences and number formatting shared by the pages and the exports.

Every change on screen and in a sentence carries its sign (`+21`, `−3` with the minus sign U+2212, `±0`), and every
percentage is rounded once, half up (四捨五入), here: tables, metrics and sentences show the same figure.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from .normalize import is_missing

MINUS = "\u2212"
UNCHANGED = "横ばい"


def signed_number_format(body: str = "#,##0", suffix: str = "") -> str:
    """The spreadsheet number format of a change shown as fmt_signed shows it (+21, −3, ±0): the cell keeps its
    number, so it still sorts and sums; only the display carries the sign."""
    end = f'"{suffix}"' if suffix else ""
    zero = body.replace("#,##", "").replace("#", "")
    return f'"+"{body}{end};"{MINUS}"{body}{end};"±"{zero}{end}'


# A rate of change as fmt_pct shows it: +44.7%, −3.0%, ±0.0%.
SIGNED_PCT_FORMAT = signed_number_format("0.0", "%")


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


def round_half_up(value: float, decimals: int = 0) -> float:
    """四捨五入 as a reader expects (2.5 -> 3, 62.5 -> 63), not Python's round half to even (2.5 -> 2).

    Through the shortest decimal text of the float, so 0.125 rounds as 0.125 is written."""
    step = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(value))).quantize(step, rounding=ROUND_HALF_UP))


def share_pct(part: float, whole: float) -> int | None:
    """The share in whole per cent, 四捨五入 (15 of 24 -> 63); None when there is no whole."""
    if not whole:
        return None
    return int(round_half_up(part / whole * 100))


def fmt_share(part: float, whole: float) -> str:
    pct = share_pct(part, whole)
    return "－" if pct is None else f"{pct}%"


def fmt_number(value: float | None, decimals: int | None = None) -> str:
    if is_missing(value):
        return "－"
    d = decimals_of(value) if decimals is None else decimals
    return f"{round_half_up(value, d):,.{d}f}"


def fmt_signed(value: float | None, decimals: int | None = None) -> str:
    """A change with its sign: +21, −3 (U+2212), ±0 when it rounds to nothing."""
    if is_missing(value):
        return "－"
    d = decimals_of(value) if decimals is None else decimals
    shown = round_half_up(value, d)
    if shown == 0:
        return f"±{0:.{d}f}"
    return ("+" if shown > 0 else MINUS) + f"{abs(shown):,.{d}f}"


def fmt_pct(pct: float | None) -> str:
    """A rate of change to one decimal, signed: +44.7%, −3.0%, ±0.0% (never +0.0%)."""
    if is_missing(pct):
        return "－"
    return fmt_signed(pct, 1) + "%"


def change_sentence(indicator: str, unit: str, prev: float | None, latest: float | None,
                    prev_label: str | None = None, latest_label: str | None = None) -> str:
    """「女性人材バンク登録者数は、H30年度の47人からR1年度の68人へ21人増加（+44.7%）しました。」

    The years are in the sentence so that it stands on its own when pasted into council material."""
    if is_missing(prev) or is_missing(latest):
        return _no_change_sentence(indicator)
    return _sentence(_Numbers(), indicator, unit, prev, latest, prev_label, latest_label)


def change_sentences(indicators, units, prevs, latests, prev_labels, latest_labels) -> list[str]:
    """change_sentence of each row of these columns; each distinct number is rounded and written once
    (a store's build writes a sentence for every indicator)."""
    numbers = _Numbers()
    absent = (pd.isna(np.asarray(prevs, dtype=object)) | pd.isna(np.asarray(latests, dtype=object))).tolist()
    columns = [list(c) if not hasattr(c, "tolist") else c.tolist()
               for c in (indicators, units, prevs, latests, prev_labels, latest_labels)]
    return [_no_change_sentence(ind) if gone else _sentence(numbers, ind, unit, p, v, pl, ll)
            for gone, ind, unit, p, v, pl, ll in zip(absent, *columns)]


def _no_change_sentence(indicator: str) -> str:
    return f"{indicator}は比較できる2年度分の値がありません。"


def _sentence(numbers: _Numbers, indicator: str, unit: str, prev: float, latest: float,
              prev_label: str | None, latest_label: str | None) -> str:
    unit = unit or ""
    d = max(numbers.decimals(prev), numbers.decimals(latest))
    delta = numbers.rounded(latest - prev, d)
    # A change in a percentage is in points, not in per cent of a per cent.
    delta_unit = "ポイント" if unit in ("%", "％") else unit
    before = f"{prev_label}の" if prev_label else ""
    after = f"{latest_label}の" if latest_label else ""
    if delta == 0:
        was = f"{prev_label}と同じ" if prev_label else "前年度と同じ"
        return f"{indicator}は、{after}{numbers.text(latest, d)}{unit}で{was}（{UNCHANGED}）でした。"
    word = "増加" if delta > 0 else "減少"
    pct = "" if prev == 0 else f"（{numbers.pct((latest - prev) / abs(prev) * 100)}）"
    return (f"{indicator}は、{before}{numbers.text(prev, d)}{unit}から{after}{numbers.text(latest, d)}{unit}へ"
            f"{numbers.text(abs(delta), d)}{delta_unit}{word}{pct}しました。")


class _Numbers:
    """decimals_of, round_half_up, fmt_number and fmt_pct of present numbers, each worked out once per distinct
    number. A zero is worked out every time: 0.0 and -0.0 are one key of a dict but written differently."""

    def __init__(self):
        self.memo: dict = {}

    def _once(self, func, value, *args):
        if not value:
            return func(value, *args)
        key = (func, value, *args)
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = func(value, *args)
        return found

    def decimals(self, value: float) -> int:
        return self._once(decimals_of, value)

    def rounded(self, value: float, decimals: int) -> float:
        return self._once(round_half_up, value, decimals)

    def text(self, value: float, decimals: int) -> str:
        return self._once(fmt_number, value, decimals)

    def pct(self, pct: float) -> str:
        return self._once(fmt_pct, pct)

"""Plain-Japanese sentences and number formatting shared by the pages and the exports.

Every change on screen and in a sentence carries its sign (`+21`, `−3` with the minus sign U+2212, `±0`), and every
percentage is rounded once, half up (四捨五入), here: tables, metrics and sentences show the same figure.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from .normalize import STATUS_REPORTED, is_missing

MINUS = "\u2212"
NO_VALUE = "－"  # a cell or figure with no value: the dash the report itself uses
UNCHANGED = "横ばい"
NOT_COMPARABLE = "比較できる2年度分の値がありません"  # an indicator without a value in two years to compare


def signed_number_format(body: str, suffix: str = "") -> str:
    """The spreadsheet number format of a change shown as fmt_signed shows it (+21, −3, ±0): the cell keeps its
    number, so it still sorts and sums; only the display carries the sign."""
    end = f'"{suffix}"' if suffix else ""
    zero = body.replace("#,##", "").replace("#", "")
    return f'"+"{body}{end};"{MINUS}"{body}{end};"±"{zero}{end}'


# A rate of change as fmt_pct shows it: +44.7%, −3.0%, ±0.0%.
SIGNED_PCT_FORMAT = signed_number_format("0.0", "%")


def decimals_of(*values: float | None) -> int:
    """How many decimals the report used for these values (26.9 -> 1, 9,943,885 -> 0)."""
    # The digits after the point of each value written to six decimals, its trailing zeros dropped.
    written = [f"{abs(v):.6f}".rstrip("0") for v in values if not is_missing(v)]
    return max((len(text.partition(".")[2]) for text in written), default=0)


def round_half_up(value: float, decimals: int = 0) -> float:
    """四捨五入 as a reader expects (2.5 -> 3, 62.5 -> 63), not Python's round half to even (2.5 -> 2).

    Through the shortest decimal text of the float, so 0.125 rounds as 0.125 is written."""
    step = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(value))).quantize(step, rounding=ROUND_HALF_UP))


def fmt_share(part: float, whole: float) -> str:
    """The share in whole per cent, 四捨五入 (15 of 24 -> 63%); the dash when there is no whole."""
    if not whole:
        return NO_VALUE
    return f"{int(round_half_up(part / whole * 100))}%"


def fmt_number(value: float | None, decimals: int | None = None) -> str:
    if is_missing(value):
        return NO_VALUE
    d = decimals_of(value) if decimals is None else decimals
    return f"{round_half_up(value, d):,.{d}f}"


def fmt_year_value(value: float | None, unit: str, status: str) -> str:
    """A year's value as the measure card shows it, on screen and in print: 「68人」, or 「－（値なし）」 where the
    report wrote 「-」 (indicator_series leaves out the years a report does not give)."""
    return fmt_number(value) + unit if status == STATUS_REPORTED else "－（値なし）"


def fmt_signed(value: float | None, decimals: int | None = None) -> str:
    """A change with its sign: +21, −3 (U+2212), ±0 when it rounds to nothing."""
    if is_missing(value):
        return NO_VALUE
    d = decimals_of(value) if decimals is None else decimals
    shown = round_half_up(value, d)
    if shown == 0:
        return f"±{0:.{d}f}"
    return ("+" if shown > 0 else MINUS) + f"{abs(shown):,.{d}f}"


def fmt_pct(pct: float | None) -> str:
    """A rate of change to one decimal, signed: +44.7%, −3.0%, ±0.0% (never +0.0%)."""
    if is_missing(pct):
        return NO_VALUE
    return fmt_signed(pct, 1) + "%"


def change_sentences(indicators, units, prevs, latests, prev_labels, latest_labels) -> list[str]:
    """The sentence of each row of these columns:
    「女性人材バンク登録者数は、H30年度の47人からR1年度の68人へ21人増加（+44.7%）しました。」

    The years are in the sentence so that it stands on its own when pasted into council material. Each distinct
    number is rounded and written once: a store's build writes a sentence for every indicator."""
    prev, latest = _floats(prevs), _floats(latests)
    absent = np.isnan(prev) | np.isnan(latest)
    prev, latest = np.where(absent, 1.0, prev), np.where(absent, 1.0, latest)  # absent rows: no sentence of numbers
    d = np.maximum(_each(decimals_of, prev), _each(decimals_of, latest)).astype(np.int64)
    delta = _each(round_half_up, latest - prev, d).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(prev == 0, np.nan, (latest - prev) / np.abs(prev) * 100)
    rate = _each(fmt_pct, pct)
    rate[prev == 0] = None  # no rate of change from zero
    columns = [_each(fmt_number, prev, d), _each(fmt_number, latest, d), _each(fmt_number, np.abs(delta), d), rate]
    return [f"{ind}は{NOT_COMPARABLE}。" if gone else _words(ind, unit or "", *parts)
            for gone, ind, unit, *parts in zip(absent.tolist(), _list(indicators), _list(units), delta.tolist(),
                                               *(c.tolist() for c in columns), _list(prev_labels), _list(latest_labels))]


def _words(indicator: str, unit: str, delta: float, prev: str, latest: str, amount: str, pct: str | None,
           prev_label: str | None, latest_label: str | None) -> str:
    """The sentence of a change from its numbers as written; `pct` is None when there is no rate (from zero)."""
    # A change in a percentage is in points, not in per cent of a per cent.
    delta_unit = "ポイント" if unit in ("%", "％") else unit
    before = f"{prev_label}の" if prev_label else ""
    after = f"{latest_label}の" if latest_label else ""
    if delta == 0:
        was = f"{prev_label}と同じ" if prev_label else "前年度と同じ"
        return f"{indicator}は、{after}{latest}{unit}で{was}（{UNCHANGED}）でした。"
    word = "増加" if delta > 0 else "減少"
    rate = "" if pct is None else f"（{pct}）"
    return f"{indicator}は、{before}{prev}{unit}から{after}{latest}{unit}へ{amount}{delta_unit}{word}{rate}しました。"


def _floats(values) -> np.ndarray:
    """Numbers as floats, NaN where missing (None, NaN, pandas' NA)."""
    return pd.array(values, dtype="Float64").to_numpy(dtype=float, na_value=np.nan)


def _list(values) -> list:
    return values.tolist() if hasattr(values, "tolist") else list(values)


def _each(func, values: np.ndarray, decimals: np.ndarray | None = None) -> np.ndarray:
    """func(value[, decimals]) of each row, worked out once per distinct pair. 0.0 and -0.0 are apart (they are
    written differently), and NaN is passed to func as it is."""
    extra = np.zeros(len(values)) if decimals is None else decimals
    key = np.empty(len(values), dtype=complex)  # not values + 1j * ...: -0.0 + 0.0 is 0.0
    key.real, key.imag = values, extra + 64 * np.signbit(values)
    codes, uniques = pd.factorize(key, use_na_sentinel=False)
    done = [func(u.real) if decimals is None else func(u.real, int(round(u.imag)) % 64) for u in uniques.tolist()]
    return np.array(done, dtype=object)[codes]

"""Numbers and sentences as a council member reads them (evaldash.summary)."""

from __future__ import annotations

import pytest

from evaldash.summary import MINUS, change_sentences, fmt_number, fmt_pct, fmt_share, fmt_signed, round_half_up


def change_sentence(indicator, unit, prev, latest, prev_label=None, latest_label=None) -> str:
    """The sentence of one row."""
    return change_sentences([indicator], [unit], [prev], [latest], [prev_label], [latest_label])[0]


@pytest.mark.parametrize("part, whole, pct", [(15, 24, 63), (1, 8, 13), (3, 8, 38), (5, 8, 63), (1, 3, 33), (0, 5, 0)])
def test_shares_round_half_up_not_to_even(part, whole, pct):
    assert fmt_share(part, whole) == f"{pct}%"


def test_a_share_of_nothing_is_a_dash():
    assert fmt_share(3, 0) == "－"


@pytest.mark.parametrize("value, decimals, rounded", [(2.5, 0, 3.0), (0.5, 0, 1.0), (-2.5, 0, -3.0), (0.125, 2, 0.13),
                                                       (1.005, 2, 1.01), (44.65, 1, 44.7)])
def test_round_half_up_rounds_as_written(value, decimals, rounded):
    assert round_half_up(value, decimals) == rounded


def test_numbers_round_half_up_when_shown():
    assert fmt_number(2.5, 0) == "3" and fmt_number(1234.5, 0) == "1,235"


@pytest.mark.parametrize("value, decimals, text", [(21, 0, "+21"), (-3, 0, f"{MINUS}3"), (0, 0, "±0"),
                                                   (-0.04, 1, "±0.0"), (1234.5, 1, "+1,234.5"), (None, 0, "－")])
def test_changes_carry_their_sign(value, decimals, text):
    assert fmt_signed(value, decimals) == text


def test_rates_are_signed_and_unchanged_is_never_plus_zero():
    assert fmt_pct(44.68) == "+44.7%"
    assert fmt_pct(-20) == f"{MINUS}20.0%"
    assert fmt_pct(0.0) == "±0.0%" and fmt_pct(-0.01) == "±0.0%"
    assert "+0.0" not in fmt_pct(0.04)


def test_the_sentence_names_both_years():
    assert (change_sentence("女性人材バンク登録者数", "人", 47, 68, "H30年度", "R1年度")
            == "女性人材バンク登録者数は、H30年度の47人からR1年度の68人へ21人増加（+44.7%）しました。")
    assert (change_sentence("参加者数", "人", 50, 40, "H30年度", "R1年度")
            == f"参加者数は、H30年度の50人からR1年度の40人へ10人減少（{MINUS}20.0%）しました。")


def test_an_unchanged_value_reads_yokobai_with_its_years():
    text = change_sentence("登録数", "件", 12, 12, "H30年度", "R1年度")
    assert text == "登録数は、R1年度の12件でH30年度と同じ（横ばい）でした。"
    assert "+0" not in text


def test_a_percentage_changes_in_points_and_from_zero_has_no_rate():
    assert change_sentence("率", "%", 26.9, 30.0, "H30年度", "R1年度") == (
        "率は、H30年度の26.9%からR1年度の30.0%へ3.1ポイント増加（+11.5%）しました。")
    assert change_sentence("件数", "件", 0, 5, "H30年度", "R1年度") == "件数は、H30年度の0件からR1年度の5件へ5件増加しました。"
    assert change_sentence("件数", "件", None, 5) == "件数は比較できる2年度分の値がありません。"


def test_sentences_of_a_column_are_the_sentence_of_each_row():
    """The column form works each distinct number out once: repeated numbers, a number written with other
    decimals beside another value, zeros of either sign and absent values still read as one row alone does."""
    rows = [("a", "人", 47, 68, "H30年度", "R1年度"), ("b", "人", 47.0, 68.25, "H30年度", "R1年度"),
            ("c", "%", 68, 47, None, None), ("d", "件", -0.0, 5, "H30年度", "R1年度"), ("e", "件", 0.0, -0.0, "R1年度", "R2年度"),
            ("f", "件", float("nan"), 5, None, "R1年度"), ("g", "", None, None, None, None), ("h", "件", 2.5, 2.5, "R1年度", "R2年度"),
            ("i", "件", 0.125, 2.5, "R1年度", "R2年度"), ("j", "人", 47, 68, "H30年度", "R1年度")]
    columns = [list(c) for c in zip(*rows)]
    assert change_sentences(*columns) == [change_sentence(*row) for row in rows]
    assert change_sentences([], [], [], [], [], []) == []

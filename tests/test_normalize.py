"""Normalisation rules (README "Normalisation"): one rule, one or a few literal cases each."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from evaldash import normalize as nz


# -- NFKC and whitespace -------------------------------------------------------------------------

def test_nfkc_turns_full_width_into_ascii_and_collapses_spaces():
    assert nz.clean("ＡＢＣ　１２３（令和２年４月１日現在）") == "ABC 123(令和2年4月1日現在)"
    assert nz.clean("  市民\t 生活\u3000課  ") == "市民 生活 課"
    assert nz.clean("ｺﾐｭﾆﾃｨｾﾝﾀｰ") == "コミュニティセンター"  # half-width katakana


# -- values ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "cell, value",
    [
        ("47", 47.0),
        ("9,943,885", 9943885.0),
        ("1,365", 1365.0),
        ("26.9", 26.9),
        ("０", 0.0),
        ("１，５３１", 1531.0),  # full-width digits and comma
        (" 8.2 ", 8.2),
        ("8.2%", 8.2),
        ("△5", -5.0),
        ("▲1,234", -1234.0),
        ("△ 0.5", -0.5),
        ("-5", -5.0),
        ("−5", -5.0),  # U+2212 MINUS SIGN
    ],
)
def test_numbers(cell, value):
    v = nz.parse_value(cell)
    assert v.status == nz.STATUS_REPORTED
    assert v.value == value


@pytest.mark.parametrize("cell", ["-", "－", "—", "―", "‐", " - ", "欠測", "missing", "MISSING", "ｍｉｓｓｉｎｇ"])
def test_dashes_and_missing_words_mean_reported_as_no_value(cell):
    v = nz.parse_value(cell)
    assert (v.value, v.status) == (None, nz.STATUS_NO_VALUE)


@pytest.mark.parametrize("cell", ["", " ", "\u3000"])
def test_blank_means_not_reported(cell):
    v = nz.parse_value(cell)
    assert (v.value, v.status) == (None, nz.STATUS_NOT_REPORTED)


@pytest.mark.parametrize("cell", ["abc", "12人", "1,36,5", "1.2.3", "△", "△-5", "--5", "+", "nan", "inf", "١٢"])
def test_anything_else_is_invalid(cell):
    v = nz.parse_value(cell)
    assert (v.value, v.status) == (None, nz.STATUS_INVALID)


# -- 和暦 -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "label, year",
    [
        ("H30年度", 2018),
        ("R1年度", 2019),
        ("R4年度", 2022),
        ("平成30年度", 2018),
        ("平成31年度", 2019),  # 平成31 = 令和元
        ("令和元年度", 2019),
        ("令和元年", 2019),
        ("令和2年度", 2020),
        ("令和 3 年度", 2021),
        ("Ｈ２７年度", 2015),  # full width
        ("r2年度", 2020),
        ("平成1年度", 1989),
        ("2019年度", 2019),
        ("2020", 2020),
    ],
)
def test_wareki_to_fiscal_year(label, year):
    assert nz.fiscal_year(label) == year


@pytest.mark.parametrize("n", [1, 5, 12, 30, 31])
def test_general_rule_not_a_lookup_table(n):
    assert nz.fiscal_year(f"平成{n}年度") == nz.fiscal_year(f"H{n}年度") == 1988 + n
    assert nz.fiscal_year(f"令和{n}年度") == nz.fiscal_year(f"R{n}年度") == 2018 + n


@pytest.mark.parametrize("label", ["", "年度", "指標名", "R年度", "令和0年度", "X1年度", "H30年度末", "19年度"])
def test_not_a_year(label):
    assert nz.fiscal_year(label) is None


def test_short_label_round_trips():
    for year in range(1989, 2035):
        assert nz.fiscal_year(nz.wareki_label(year)) == year
    assert nz.wareki_label(2018) == "H30年度"
    assert nz.wareki_label(2019) == "R1年度"


# -- OCR corrections ---------------------------------------------------------------------------------

def test_ocr_table_corrects_and_raw_keeps_the_slip():
    assert nz.OCR_CORRECTIONS == {"苦小牧": "苫小牧", "企业": "企業"}
    text = "苦小牧市LINE公式アカウント ワークライフバランス等企业表彰"
    assert nz.clean(text) == "苫小牧市LINE公式アカウント ワークライフバランス等企業表彰"
    assert nz.clean(text, ocr=False) == text
    assert nz.clean("苦しい") == "苦しい"  # only the whole slip is corrected


# -- bullets and HTML --------------------------------------------------------------------------------

def test_bullets_split_but_not_inside_a_word():
    text = "・市民・団体、企業の方と協働 ・ 中・高校生等に出前授業 ・官民合同研修"
    assert nz.split_bullets(text) == ["市民・団体、企業の方と協働", "中・高校生等に出前授業", "官民合同研修"]


def test_half_width_bullet_is_a_bullet():
    assert nz.split_bullets("･ 研修会の実施 ･ 募集") == ["研修会の実施", "募集"]


def test_bullets_raw_form_keeps_ocr_slips():
    assert nz.split_bullets("・ 企业表彰 ・ 苦小牧の魅力", ocr=False) == ["企业表彰", "苦小牧の魅力"]
    assert nz.split_bullets("・ 企业表彰 ・ 苦小牧の魅力") == ["企業表彰", "苫小牧の魅力"]


def test_html_is_stripped_into_paragraphs():
    cell = '<p>一つ目の段落です。</p> <p>二つ目、<b>強調</b>あり。</p>'
    assert nz.strip_html(cell) == ["一つ目の段落です。", "二つ目、 強調 あり。"]
    ul = '<ul style="list-style-type: none"> <li>研修</li><li>募集</li></ul>'
    assert nz.strip_html(ul) == ["研修", "募集"]
    assert nz.strip_html("一行目<br>二行目<br/>三行目") == ["一行目", "二行目", "三行目"]


def test_html_entities_and_text_that_only_looks_like_markup():
    assert nz.strip_html("<p>ダイバーシティ&amp;インクルージョン&nbsp;講演</p>") == ["ダイバーシティ&インクルージョン 講演"]
    assert nz.strip_html("5<10 かつ 20>3") == ["5<10 かつ 20>3"]  # not a tag: kept
    assert nz.strip_html("<p></p><p> </p>") == []


def test_html_stripping_stays_linear_on_hostile_lines():
    start = time.perf_counter()
    nz.strip_html("<" * 200_000)
    nz.strip_html("<p " * 100_000)
    assert time.perf_counter() - start < 2.0


def test_indicator_key_drops_only_the_date_qualifier():
    assert nz.indicator_key("附属機関等の設置数 (令和2年4月1日現在)") == "附属機関等の設置数"
    assert nz.indicator_key("附属機関等の設置数 (令和3年4月1日現在)") == "附属機関等の設置数"
    assert nz.indicator_key("寄付講座 (苫小牧市特別講座)") == "寄付講座 (苫小牧市特別講座)"
    assert nz.indicator_key("市民の声 (広聴) による要望等") == "市民の声 (広聴) による要望等"


@pytest.mark.parametrize("value", [None, float("nan"), pd.NA, pd.NaT, np.float64("nan")])
def test_a_value_that_is_not_there_is_missing(value):
    assert nz.is_missing(value)


@pytest.mark.parametrize("value", [0, 0.0, "", "-", "値なし", [], [None], np.int64(0)])
def test_a_value_that_is_there_is_not_missing(value):
    assert not nz.is_missing(value)

"""An empty view names what emptied it and takes it out in one click; options carry their counts; search words
are ANDed, kana and width variants match, a miss suggests names, each hit says where it matched."""

from __future__ import annotations

import pytest

from evaldash.ui import EMPTY_MESSAGE, PAGE_FILES

from .conftest import texts


def buttons(at) -> list[str]:
    return [b.label for b in at.button]


@pytest.mark.parametrize("page", [PAGE_FILES[k] for k in ("overview", "trends", "data")])
def test_an_empty_view_offers_to_take_out_the_choice_that_emptied_it(open_page, page):
    at = open_page(page, pol="3", refl="A")  # 運営方針03 has only 反映区分 B
    assert EMPTY_MESSAGE in texts(at)
    assert "『反映区分: A』を外す" in buttons(at)
    assert any(label.startswith("『運営方針: 03 ") for label in buttons(at))


def test_one_click_takes_that_choice_out_and_the_rows_come_back(open_page):
    at = open_page(PAGE_FILES["overview"], pol="3", refl="A")
    next(b for b in at.button if b.label == "『反映区分: A』を外す").click().run()
    assert EMPTY_MESSAGE not in texts(at)
    assert at.multiselect(key="f_pol").value == [3] and at.pills(key="f_refl").value == []
    assert {m.label: m.value for m in at.metric}["施策"] == "5"
    assert "refl" not in at.query_params and at.query_params["pol"] == "3"


def test_an_empty_card_list_names_the_search(open_page):
    at = open_page(PAGE_FILES["card"], q="存在しないキーワード")
    assert "『キーワード検索: 存在しないキーワード』を外す" in buttons(at)


def test_options_show_how_many_measures_they_would_select(open_page):
    at = open_page(PAGE_FILES["overview"], refl="B")
    labels = at.multiselect(key="f_pol").options  # as shown: 「03 地域活動の促進（5）」
    assert any(label.startswith("03 ") and label.endswith("（5）") for label in labels), labels
    assert all("（" in label for label in labels)
    assert any(label.startswith("02 ") and label.endswith("（0）") for label in labels), labels  # 02 has no B
    refl = open_page(PAGE_FILES["overview"], pol="3").pills(key="f_refl")  # 運営方針03 has no A: it says so
    assert any(o.startswith("A（0）：") for o in refl.options), refl.options


def test_several_words_all_must_match(open_page):
    both = open_page(PAGE_FILES["changes"], q="来場 原爆")
    assert set(both.dataframe[0].value["indicator"]) == {"原爆パネル展来場者数"}
    full_width_space = open_page(PAGE_FILES["changes"], q="来場　原爆")
    assert set(full_width_space.dataframe[0].value["indicator"]) == {"原爆パネル展来場者数"}
    assert EMPTY_MESSAGE in texts(open_page(PAGE_FILES["changes"], q="来場 女性"))


def test_katakana_hiragana_and_width_variants_match(open_page):
    hiragana = open_page(PAGE_FILES["changes"], q="じょせい ばんく")  # the report writes 女性人材バンク
    assert EMPTY_MESSAGE in texts(hiragana)  # 女性 is kanji: hiragana does not stand for it
    kana = open_page(PAGE_FILES["changes"], q="ばんく")
    assert set(kana.dataframe[0].value["indicator"]) == {"女性人材バンク登録者数"}
    half_width = open_page(PAGE_FILES["changes"], q="ﾊﾞﾝｸ")
    assert set(half_width.dataframe[0].value["indicator"]) == {"女性人材バンク登録者数"}


def test_a_miss_suggests_the_nearest_indicator_name_and_a_click_searches_it(open_page):
    at = open_page(PAGE_FILES["trends"], q="女性人材バンク登録数")
    assert EMPTY_MESSAGE in texts(at)
    assert "もしかして: 女性人材バンク登録者数" in buttons(at)
    next(b for b in at.button if b.label == "もしかして: 女性人材バンク登録者数").click().run()
    assert at.text_input(key="f_q").value == "女性人材バンク登録者数"
    assert EMPTY_MESSAGE not in texts(at)


def test_each_hit_says_where_it_matched(open_page):
    at = open_page(PAGE_FILES["overview"], q="女性人材バンク")
    shown = texts(at).replace("\\", "")
    assert "一致した箇所" in " ".join(e.label for e in at.expander)
    assert "指標名「女性人材バンク登録者数」" in shown
    both = texts(open_page(PAGE_FILES["overview"], q="女性 登録")).replace("\\", "")
    assert "指標名「女性人材バンク登録者数」" in both  # the name with both words, not the first with one

"""The address is the view: when it changes outside the app (Back, Forward, a link), its values win over the
widgets' state; a choice's label may change with its count, the choice stays (issue 17 §4)."""

from __future__ import annotations

from evaldash.ui import PAGE_FILES


def test_an_address_changed_by_back_sets_the_widgets_again(open_page):
    at = open_page(PAGE_FILES["changes"], q="原爆", pol="4")
    assert at.text_input(key="f_q").value == "原爆"
    del at.query_params["q"]  # what Back to the address before the search does
    at.query_params["pol"] = "3"
    at.run()
    assert at.text_input(key="f_q").value == "" and at.multiselect(key="f_pol").value == [3]
    assert "q" not in at.query_params and at.query_params["pol"] == "3"


def test_a_widget_change_wins_over_the_unchanged_address(open_page):
    at = open_page(PAGE_FILES["changes"], q="原爆")
    at.text_input(key="f_q").set_value("女性").run()
    assert at.text_input(key="f_q").value == "女性" and at.query_params["q"] == "女性"


def test_a_choice_stays_when_its_count_changes(open_page):
    at = open_page(PAGE_FILES["overview"], pol="3")
    before = at.multiselect(key="f_pol").options
    at.pills(key="f_refl").set_value(["A"]).run()  # 運営方針03's count goes from 5 to 0
    assert at.multiselect(key="f_pol").options != before
    assert at.multiselect(key="f_pol").value == [3] and not at.exception

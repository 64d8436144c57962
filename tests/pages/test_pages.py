"""One AppTest per page: renders on the bundled data, a filter changes what is shown, the URL restores a view."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest

from evaldash.summary import NO_VALUE
from evaldash.ui import EMPTY_MESSAGE, PAGE_FILES, narrow

from .conftest import texts


def test_every_page_file_is_in_the_registry_and_every_entry_has_its_file():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    assert sorted(PAGE_FILES.values()) == sorted(f"pages/{p.name}" for p in (root / "pages").glob("*.py"))


@pytest.mark.parametrize("page", list(PAGE_FILES.values()))  # every page of the registry, a new one too
def test_every_page_renders_without_error(open_page, page):
    at = open_page(page)
    assert not at.error, [e.value for e in at.error]
    assert at.title, "page has a title"


@pytest.mark.parametrize("page", list(PAGE_FILES.values()))
def test_every_table_shows_a_missing_value_as_the_report_does(open_page, page):
    """Streamlit's grid writes "None" in an empty cell unless told otherwise (要請回数 has no 増減率)."""
    at = open_page(page, measure="1110422")
    assert [d.proto.placeholder for d in at.dataframe] == [NO_VALUE] * len(at.dataframe)


@pytest.mark.parametrize("page", [PAGE_FILES[k] for k in ("overview", "trends", "changes", "data")])
def test_empty_selection_says_so(open_page, page):
    at = open_page(page, q="存在しないキーワード")
    assert EMPTY_MESSAGE in texts(at)


def test_overview_counts_follow_the_filter(open_page):
    everything = {m.label: m.value for m in open_page(PAGE_FILES["overview"]).metric}
    assert (everything["運営方針"], everything["施策"], everything["評価指標"]) == ("4", "15", "25")
    policy3 = {m.label: m.value for m in open_page(PAGE_FILES["overview"], pol="3").metric}
    assert (policy3["運営方針"], policy3["施策"], policy3["評価指標"]) == ("1", "5", "7")
    assert policy3["反映区分 B"] == "5" and policy3["反映区分 A"] == "0"


def test_department_filter_finds_the_shared_measure(open_page):
    at = open_page(PAGE_FILES["overview"], dept="福祉部")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["施策"] == "1" and metrics["評価指標"] == "2"  # 1110421, run with 総合政策部


def test_sidebar_widgets_are_restored_from_the_url(open_page):
    at = open_page(PAGE_FILES["changes"], pol="3,4", refl="A", q="来場")
    assert at.multiselect(key="f_pol").value == [3, 4]
    assert at.text_input(key="f_q").value == "来場"
    table = at.dataframe[0].value
    assert set(table["indicator"]) == {"原爆パネル展来場者数", "平和祈念式典来場者数"}


def test_a_link_value_nothing_offers_is_dropped_and_said_so(open_page):
    at = open_page(PAGE_FILES["changes"], pol="3,99", sort="nonsense", img="svg")
    assert at.multiselect(key="f_pol").value == [3]
    assert at.segmented_control(key="ch_sort").value == "abs_delta_pct"
    at.run()  # the sidebar is drawn before the page: the page's own value is named from the next run on
    notice = " ".join(c.value for c in at.sidebar.caption).replace("\\", "")
    assert "pol=99" in notice and "sort=nonsense" in notice
    assert at.query_params["pol"] in ("3", ["3"]) and "sort" not in at.query_params
    assert at.segmented_control(key="f_img").value == "svg" and at.query_params["img"] in ("svg", ["svg"])


def test_changing_a_filter_changes_the_page_and_the_url(open_page):
    at = open_page(PAGE_FILES["changes"])
    assert len(at.dataframe[0].value) == 25
    at.multiselect(key="f_pol").select(3).run()
    assert len(at.dataframe[0].value) == 7
    assert at.query_params["pol"] in ("3", ["3"])


def test_trends_shows_the_chosen_indicator_and_its_sentence(open_page):
    at = open_page(PAGE_FILES["trends"], q="女性人材バンク")
    body = texts(at)
    assert "女性人材バンク登録者数は、H30年度の47人からR1年度の68人へ21人増加" in body.replace("\\", "")
    assert len(at.get("plotly_chart")) == 1


def test_trends_mode_and_era_come_from_the_url(open_page):
    at = open_page(PAGE_FILES["trends"], q="原爆", mode="index", era="seireki")
    assert at.segmented_control(key="tr_mode").value == "index"
    assert at.segmented_control(key="tr_era").value == "seireki"
    traces = json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
    line = next(t for t in traces if t.get("name") == "原爆パネル展来場者数")
    assert line["x"] == ["2018年度", "2019年度"]
    assert line["y"][0] == 100 and round(line["y"][1], 1) == 211.4  # 740 / 350 * 100


def test_changes_threshold_and_sentences(open_page):
    at = open_page(PAGE_FILES["changes"], min="100")
    table = at.dataframe[0].value
    assert set(table["indicator"]) == {"女性のエンパワーメント講座", "原爆パネル展来場者数"}
    assert "原爆パネル展来場者数は、H30年度の350人からR1年度の740人へ390人増加（+111.4%）しました。" in at.code[0].value


# A 375-px phone leaves the table 343 px (the page's padding); the row's checkbox column takes 32 of them.
PHONE_TABLE_WIDTH, CHECKBOX_WIDTH = 343, 32


def test_changes_table_on_a_narrow_screen_keeps_the_changes_beside_the_pinned_name(open_page):
    at = open_page(PAGE_FILES["changes"], pol="4")
    wide = at.dataframe[0].proto
    columns = json.loads(wide.columns)
    assert list(wide.column_order)[:3] == ["policy_no", "measure_id", "indicator"], "a wide screen: what a row is first"
    assert sorted(wide.column_order) == sorted(at.dataframe[0].value.columns), "no column is lost"
    assert {k for k, c in columns.items() if c.get("pinned")} >= {"policy_no", "measure_id", "indicator"}

    at.session_state[narrow.KEY] = {"narrow": True}  # what the browser reports from a phone
    at.run()
    narrowed = at.dataframe[0].proto
    columns = json.loads(narrowed.columns)
    assert list(narrowed.column_order)[:3] == ["indicator", "delta", "delta_pct"]
    assert [k for k, c in columns.items() if c.get("pinned")] == ["indicator"]
    shown = CHECKBOX_WIDTH + sum(columns[k]["width"] for k in ("indicator", "delta", "delta_pct"))
    assert shown <= PHONE_TABLE_WIDTH, "the name and both changes fit a phone's width"
    assert sorted(narrowed.column_order) == sorted(k for k in at.dataframe[0].value.columns), "no column is lost"


def test_changes_sort_uses_the_allow_list(open_page):
    at = open_page(PAGE_FILES["changes"], sort="down")
    first = at.dataframe[0].value.iloc[0]
    assert first["indicator"] == "市民自治のまちづくり出前講座"  # -75.0%, the largest fall
    bad = open_page(PAGE_FILES["changes"], sort="delta_pct; DROP TABLE measures")
    assert bad.segmented_control(key="ch_sort").value == "abs_delta_pct"


def test_measure_card_opens_from_the_url(open_page):
    at = open_page(PAGE_FILES["card"], measure="1110321")
    body = texts(at).replace("\\", "")
    assert "施策 1110321" in body
    assert "女性人材バンク登録者数は、H30年度の47人からR1年度の68人へ21人増加（+44.7%）しました。" in body
    assert "審議会や委員会などへの女性の参画を促進します。" in body
    assert "tomakomai_R1.txt 256行" in body


def test_measure_card_names_its_sources_as_its_print_file_does(open_page, app_env):
    from html import escape

    from evaldash import store
    from evaldash.export.printable import card_html

    at = open_page(PAGE_FILES["card"], measure="1110321")
    captions = [c.value.replace("\\", "") for c in at.caption]
    sources = [c for c in captions if c.startswith("出典:")]
    assert len(sources) > 1  # each indicator's report line, and the card's footer
    with store.connect_readonly(app_env[1]) as con:
        html = card_html(con, "苫小牧市", "1110321")
    for source in sources:
        assert escape(source) in html


def test_measure_card_shows_both_departments_and_sections(open_page):
    body = texts(open_page(PAGE_FILES["card"], measure="1110421")).replace("\\", "")
    assert "総合政策部 政策推進課 / 福祉部 総合福祉課" in body
    assert "（政策推進課）" in body and "（総合福祉課）" in body


def test_measure_card_link_from_the_trends_page(open_page):
    at = open_page(PAGE_FILES["trends"], q="女性人材バンク")
    links = [(link.proto.page, parse_qs(link.proto.query_string)) for link in at.get("page_link")]
    # The link carries the filter too, so the card opens in the same view.
    assert ("card", {"q": ["女性人材バンク"], "measure": ["1110321"]}) in links


def test_data_page_offers_downloads(open_page):
    at = open_page(PAGE_FILES["data"], pol="3")
    buttons = at.get("download_button")
    assert [b.proto.label for b in buttons] == ["CSV（Excel 用）", "Excel"]
    wide = at.dataframe[0].value
    assert wide["indicator"].nunique() == 7 == len(wide)  # one row per indicator, the years as columns
    women = wide[wide["indicator"] == "女性人材バンク登録者数"].iloc[0]
    assert (women["H30年度"], women["R1年度"], list(women["trend"])) == (47, 68, [47, 68])
    assert at.dataframe[1].value["指標"].nunique() == 7  # the flat tab: a row per indicator and year, headed in Japanese


def test_missing_value_is_explained_not_zero(open_page):
    at = open_page(PAGE_FILES["card"], measure="1110311")
    body = texts(at).replace("\\", "")
    assert "※令和3年度調査予定(平成27年度 40%)" in body
    assert "比較できる2年度分の値がありません" in body


def test_presentation_mode_steps_through_the_selection(open_page):
    at = open_page(PAGE_FILES["trends"], pol="4", present="1")
    assert at.title[0].value == "広島派遣への累計参加者数"
    assert not at.sidebar.multiselect, "sidebar filters are not drawn in presentation mode"
    assert any("出典: 苫小牧市 施策評価表 R1年度" in c.value.replace("\\", "") for c in at.caption)
    at.button(key="next_slide").click().run()
    assert at.title[0].value == "原爆パネル展来場者数"
    assert any("原爆パネル展来場者数は、H30年度の350人からR1年度の740人へ390人増加" in s.value.replace("\\", "") for s in at.subheader)
    assert at.query_params["slide"] in ("2", ["2"])
    at.button(key="exit_present").click().run()
    assert "present" not in at.query_params
    assert at.title[0].value == "推移"


def test_presentation_link_opens_on_the_named_slide(open_page):
    at = open_page(PAGE_FILES["trends"], pol="4", present="1", slide="3")
    assert at.title[0].value == "平和祈念式典来場者数"
    assert at.markdown[-1].value == "**3 / 4**" or "**3 / 4**" in [m.value for m in at.markdown]


def test_measure_card_offers_an_a4_print_file(open_page):
    at = open_page(PAGE_FILES["card"], measure="1110321")
    labels = [b.proto.label for b in at.get("download_button")]
    assert "印刷用（A4）" in labels


def test_report_text_is_escaped_for_markdown(open_page, monkeypatch):
    from evaldash import ui
    from evaldash.filters import clean_search

    assert ui.md_escape("[押して](javascript:alert(1)) **太字** :red[赤] $x$") == (
        r"\[押して\]\(javascript\:alert\(1\)\) \*\*太字\*\* \:red\[赤\] \$x\$"
    )
    assert clean_search("abc\x00\x1b[31m" + "x" * 500) == "abc[31m" + "x" * 93


def test_changes_and_trends_offer_office_files(open_page):
    labels = [b.proto.label for b in open_page(PAGE_FILES["changes"], pol="3").get("download_button")]
    assert labels == ["Excel（変化の表）", "PowerPoint"]
    labels = [b.proto.label for b in open_page(PAGE_FILES["trends"], pol="3").get("download_button")]
    assert labels == ["PowerPoint"]


def test_unknown_measure_in_a_link_is_said_not_guessed(open_page):
    at = open_page(PAGE_FILES["card"], measure="0000000")
    assert any("施策 0000000 は見つかりませんでした" in w.value.replace("\\", "") for w in at.warning)


def test_a_linked_measure_outside_the_filter_is_shown_and_said_so(open_page):
    at = open_page(PAGE_FILES["card"], measure="1110321", pol="1")  # it is 運営方針03's
    assert any("施策 1110321 は左の絞り込みに当てはまりません" in i.value.replace("\\", "") for i in at.info)
    assert "## 施策 1110321" in [m.value for m in at.markdown]
    inside = open_page(PAGE_FILES["card"], measure="1110321", pol="3")
    assert not any("当てはまりません" in i.value for i in inside.info)
    assert "## 施策 1110321" in [m.value for m in inside.markdown]


def test_a_trends_link_names_indicators_by_id_and_by_the_ids_older_short_form(open_page, app_env):
    from evaldash import store

    con = store.connect_readonly(app_env[1])
    try:
        [(bank,)] = con.execute("SELECT indicator_id FROM indicators WHERE indicator = '女性人材バンク登録者数'").fetchall()
    finally:
        con.close()
    assert open_page(PAGE_FILES["trends"], ind=bank).multiselect(key="tr_ind").value == [bank]
    measure, digits = bank.split("~")
    for older in (f"{measure}-{digits[:8]}", f"{measure}-{digits}"):  # before schema 5; before codes could hold "-"
        at = open_page(PAGE_FILES["trends"], ind=older)
        assert at.multiselect(key="tr_ind").value == [bank]
        assert at.query_params.get("ind") in (bank, [bank])  # the link is rewritten with the current id


def test_unknown_url_values_are_dropped_and_named(open_page):
    at = open_page(PAGE_FILES["overview"], pol="3,99", refl="Z")
    assert at.multiselect(key="f_pol").value == [3]
    said = " ".join(c.value.replace("\\", "") for c in at.sidebar.caption)
    assert "pol=99" in said and "refl=Z" in said


@pytest.mark.parametrize("page", [PAGE_FILES["changes"], PAGE_FILES["trends"]])
def test_going_back_to_a_page_restores_its_controls(open_page, page):
    at = open_page(page)
    at.switch_page(PAGE_FILES["overview"]).run()
    at.switch_page(page).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    key = "ch_sort" if "changes" in page else "tr_mode"
    assert at.segmented_control(key=key).value in ("abs_delta_pct", "absolute")


def test_reset_clears_every_filter(open_page):
    at = open_page(PAGE_FILES["changes"], pol="3", refl="B", q="女性")
    assert len(at.dataframe[0].value) < 25
    next(b for b in at.sidebar.button if b.proto.label == "絞り込みを解除").click().run()
    assert at.multiselect(key="f_pol").value == [] and at.text_input(key="f_q").value == ""
    assert len(at.dataframe[0].value) == 25
    assert "pol" not in at.query_params and "q" not in at.query_params


def headers(at) -> list[str]:
    """The column headers the 変化 table shows, in order (its frame holds only the columns it shows)."""
    grid = at.dataframe[0].proto
    config = json.loads(grid.columns)
    return [config.get(c, {}).get("label", c) for c in grid.column_order or at.dataframe[0].value.columns]


def test_changes_table_heads_the_values_with_their_years(open_page):
    # One report: every row compares H30年度 with R1年度, so the years head the columns and 指標 gets the room.
    at = open_page(PAGE_FILES["changes"])
    assert headers(at)[:8] == ["方針", "施策番号", "指標", "単位", "H30年度", "R1年度", "増減", "増減率"]
    assert "前年度" not in headers(at) and "最新年度" not in headers(at)


@pytest.mark.parametrize("page,params", [
    ("changes", {"min": "inf"}),
    ("changes", {"min": "1e400"}),
    ("changes", {"min": "nan"}),
    ("trends", {"present": "1", "pol": "99999999999"}),
    ("trends", {"present": "1", "slide": "1e400"}),
    ("trends", {"pol": "99999999999"}),
    ("overview", {"pol": "-99999999999"}),
])
def test_out_of_range_link_values_are_ignored_never_an_error(open_page, page, params):
    at = open_page(PAGE_FILES[page], **params)
    assert not at.error, [e.value for e in at.error]
    at.run()
    ignored = (texts(at) + " ".join(m.value for m in at.sidebar.caption)).replace("\\", "")
    named = [k for k in params if k not in ("present",)]
    assert not at.error
    if "present" not in params:  # the sidebar names what it did not use
        assert all(f"{k}=" in ignored for k in named), ignored


def test_the_sidebar_links_to_every_page_carry_the_filter(open_page):
    at = open_page(PAGE_FILES["trends"], pol="3", q="女性")
    links = {link.proto.label: link.proto.query_string for link in at.sidebar.get("page_link")}
    assert list(links) == ["概要", "推移", "変化", "施策カード", "データ", "取込"]  # open on loopback: an editor
    assert all(parse_qs(q) == {"pol": ["3"], "q": ["女性"]} for q in links.values()), links

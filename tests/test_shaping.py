"""What pages draw, shaped once from a query's result (evaldash.shaping), on the bundled report's store."""

from __future__ import annotations

import collections

import pandas as pd

from evaldash import charts, shaping, sql
from evaldash.filters import MAX_SEARCH, Filters, clean_search, describe


def test_measure_choices_key_label_and_list_every_measure_in_order(con):
    frame = sql.run(con, "measure_list", {})
    one = shaping.measure_choices(frame, several_munis=False)
    assert list(one) == [f"苫小牧市|{m}" for m in frame["measure_id"]]
    first = frame.iloc[0]
    assert one[f"苫小牧市|{first.measure_id}"] == (f"{first.measure_id}　{first.initiative_name}　"
                                                 f"（運営方針{first.policy_no:02d} {first.policy_name}）")
    several = shaping.measure_choices(frame, several_munis=True)
    assert list(several.values())[0] == "苫小牧市 " + list(one.values())[0]


def test_first_row_names_every_column_and_is_none_for_no_rows(con):
    card = shaping.first_row(sql.run(con, "measure_card", {"measure_id": "1110421", "muni": []}))
    assert card.measure_id == "1110421" and card.municipality == "苫小牧市"
    assert shaping.first_row(sql.run(con, "measure_card", {"measure_id": "0000000", "muni": []})) is None


def test_action_groups_keep_the_report_order_under_their_sections(con):
    frame = sql.run(con, "measure_actions", {"measure_id": "1110421", "municipality": "苫小牧市"})
    groups = shaping.action_groups(frame)
    assert [t for _, texts in groups for t in texts] == sorted(frame["text"].tolist(), key=frame["text"].tolist().index)
    assert sum(len(texts) for _, texts in groups) == len(frame)
    sections = [s if isinstance(s, str) else "" for s in frame["section"]]
    assert [s for s, _ in groups] == list(dict.fromkeys(sections))


def test_indicator_panels_show_each_year_with_its_unit_or_why_it_has_none(con):
    series = sql.run(con, "indicator_series", {"ids": sql.run(con, "indicator_options", {})["indicator_id"].tolist()})
    bank = series.loc[series["indicator"] == "女性人材バンク登録者数", "indicator_id"].iloc[0]
    panels = shaping.indicator_panels(series, ((bank, 100.0),))
    assert set(panels) == set(series["indicator_id"])
    values = panels[bank].values
    shown = dict(zip(values["fiscal_label"], values["表示"]))
    assert shown == {"H30年度": "47人", "R1年度": "68人"}
    no_value = series.loc[series["value_status"] == "no_value", "indicator_id"].iloc[0]
    assert "－（値なし）" in panels[no_value].values["表示"].tolist()
    with_target = [i for i, p in panels.items() if any(s.y0 == 100.0 for s in p.figure.layout.shapes)]
    assert with_target == [bank]  # the target line, on its own indicator's chart only


def test_the_logic_imports_without_streamlit():
    # README: evaldash is importable without Streamlit, but for ui/ (the pages' glue).
    import subprocess
    import sys
    from pathlib import Path

    modules = sorted(p.stem for p in (Path(__file__).resolve().parents[1] / "evaldash").glob("*.py")
                     if p.stem not in ("ui", "__main__", "__init__"))
    code = "import sys\n" + "".join(f"import evaldash.{m}\n" for m in modules) + \
        "print(sorted(m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.strip() == "[]", out.stdout
    assert "shaping" in modules


def test_a_policy_number_named_otherwise_in_other_cities_says_so():
    frame = pd.DataFrame({"policy_no": [1, 1, 1, 2], "policy_name": ["健康", "平和", "健康", "環境"]})
    assert shaping.policy_names(frame) == {1: "健康 ほか1件（自治体ごとの名称）", 2: "環境"}


def test_sections_are_listed_under_their_department_in_the_query_order():
    frame = pd.DataFrame({"dept": ["福祉部", "総務部", "総務部", "福祉部", "市民部"],
                          "section": ["総合福祉課", None, "政策推進課", "総合福祉課", None]})
    assert shaping.sections_by_department(frame) == {"福祉部": ["総合福祉課"], "総務部": ["政策推進課"], "市民部": []}


def test_links_with_older_indicator_ids_find_the_indicator():
    choices = ["1110321~0123456789abcdef", "1110321~0123456799999999", "1110411~fedcba9876543210", "A-12~00112233aabbccdd"]
    assert shaping.linked_indicator("1110411-fedcba98", choices) == "1110411~fedcba9876543210"  # 8 digits, "-"
    assert shaping.linked_indicator("1110411-fedcba9876543210", choices) == "1110411~fedcba9876543210"  # 16, "-"
    assert shaping.linked_indicator("A-12-00112233aabbccdd", choices) == "A-12~00112233aabbccdd"  # a code with "-"
    assert shaping.linked_indicator("1110321~0123456789abcdef", choices) == "1110321~0123456789abcdef"
    assert shaping.linked_indicator("1110321-01234567", choices) == "1110321-01234567"  # two start so: neither
    assert shaping.linked_indicator("1110411-fedc", choices) == "1110411-fedc"  # not an id of either form


def test_a_slide_shows_one_indicator_with_its_years_and_its_target(con):
    ids = sql.run(con, "indicator_options", {})["indicator_id"].tolist()[:3]
    series = sql.run(con, "indicator_series", {"ids": ids})
    second = series["indicator_id"].drop_duplicates().iloc[1]
    Target = collections.namedtuple("Target", "indicator_id unit target")
    view = shaping.slide(series, second, "absolute", "line", "seireki", (Target(second, "人", 123.0),))
    one = series[series["indicator_id"] == second]
    assert view.row.indicator_id == second and view.row.indicator == one["indicator"].iloc[0]
    assert f"　|　{one['fiscal_year'].min()}年度〜{one['fiscal_year'].max()}年度　|　" in view.subtitle
    assert [s.y0 for s in view.figure.layout.shapes] == [123.0]
    assert {t.name for t in view.figure.data} <= set(one["indicator"]) | {None, "値なし"}


def test_a_slide_figure_says_what_it_shows_and_whence_so_a_saved_image_does(con):
    series = sql.run(con, "indicator_series", {"ids": sql.run(con, "indicator_options", {})["indicator_id"].tolist()})
    one = series[series["indicator"] == "女性人材バンク登録者数"]
    view = shaping.slide(series, one["indicator_id"].iloc[0], "absolute", "line", "wareki", ())
    title = view.figure.layout.title.text
    assert title == f"<b>女性人材バンク登録者数</b>　{view.subtitle}"
    assert "（単位: 人）" in view.subtitle and "　|　H30年度〜R1年度　|　" in view.subtitle
    sources = [a.text for a in view.figure.layout.annotations if a.name == "source"]
    assert sources == [view.source] and view.source.startswith(f"出典: {one['municipality'].iloc[0]} 施策評価表 ")
    assert f"{one['source_file'].iloc[0]} {int(one['source_line'].iloc[0])}行" in view.source
    # The title and the source sit in the figure's margins, outside the plot, where a saved image keeps them.
    assert view.figure.layout.margin.t >= 60 and view.figure.layout.margin.b >= 40 + charts.SOURCE_NOTE_HEIGHT


def test_a_slide_and_a_card_name_every_report_their_values_come_from():
    # The R1 report gave H30; the R2 report revised R1 and added R2: the source names both, as the deck's slide does.
    series = pd.DataFrame({
        "municipality": ["苫小牧市"] * 3, "measure_id": ["1110321"] * 3, "indicator_id": ["1110321~a"] * 3,
        "indicator": ["女性人材バンク登録者数"] * 3, "unit": ["人"] * 3, "note": [None] * 3, "policy_no": [3] * 3,
        "fiscal_year": [2018, 2019, 2020], "fiscal_label": ["H30年度", "R1年度", "R2年度"], "value": [47.0, 70.0, 69.0],
        "value_status": ["reported"] * 3, "report_label": ["R1年度", "R2年度", "R2年度"],
        "source_file": ["tomakomai_R1.txt", "tomakomai_R2.txt", "tomakomai_R2.txt"], "source_line": [256, 250, 250],
    })
    view = shaping.slide(series, "1110321~a", "absolute", "line", "wareki", ())
    assert view.source == ("出典: 苫小牧市 施策評価表 R1年度（tomakomai_R1.txt 256行）、"
                           "苫小牧市 施策評価表 R2年度（tomakomai_R2.txt 250行）")
    assert [a.text for a in view.figure.layout.annotations if a.name == "source"] == [view.source]
    # 施策カード's panel of the same indicator, on screen and in its saved image.
    panel = shaping.indicator_panels(series, ())["1110321~a"]
    assert panel.source == view.source
    assert [a.text for a in panel.figure.layout.annotations] == ["出典: 苫小牧市 施策評価表 R1年度・R2年度"]


def test_the_filter_takes_the_parameters_every_filtering_query_takes():
    chosen = Filters(["苫小牧市"], [3], ["総務部"], [], ["A"], "女性", several_munis=True)
    assert set(chosen.params()) == set(sql.EMPTY_FILTER)
    assert chosen.params()["pol"] == [3] and "several_munis" not in chosen.params()


def test_the_filter_in_words_terse_for_a_header_labelled_for_a_slide():
    params = {**sql.EMPTY_FILTER, "muni": ["苫小牧市", "大船渡市"], "pol": [4, 3], "refl": ["B", "A"], "q": "女性"}
    names, labels = {3: "男女平等参画の推進"}, {"A": "趣旨に沿って措置したもの"}
    assert describe(params, names, labels) == [
        "苫小牧市、大船渡市", "運営方針03 男女平等参画の推進、運営方針04", "反映区分A、反映区分B", "「女性」を含む"]
    assert describe({**params, "min_abs_pct": 10.0}, names, labels, labelled=True) == [
        "自治体 苫小牧市・大船渡市", "運営方針03 男女平等参画の推進、運営方針04", "反映区分 A（趣旨に沿って措置したもの）、B",
        "検索語「女性」", "増減率 10% 以上"]
    assert describe(sql.EMPTY_FILTER, {}, {}) == describe({}, {}, {}, labelled=True) == ["すべての施策"]


def test_search_text_loses_control_characters_and_is_bounded():
    assert clean_search("  ＡＢＣ\x00\x1b[31m  ") == "ABC[31m"
    assert len(clean_search("あ" * 500)) == MAX_SEARCH


def test_changes_view_lists_what_its_chart_leaves_out_and_why(con):
    changes = sql.run(con, "changes", {"min_abs_pct": 0.0})
    view = shaping.changes_view(changes, several_munis=False, source="出典: 苫小牧市 施策評価表 R1年度")
    no_rate = changes[changes["delta_pct"].isna()]
    assert len(view.left_out) == len(no_rate) > 0
    for (name, why), r in zip(view.left_out, no_rate.itertuples()):
        assert name == f"{r.indicator}（施策 {r.measure_id}）"
        assert why == shaping.NO_RATE["zero" if r.prev_value == 0 else "values"]
    assert view.bars.layout.title.text == "増減率の順位（H30年度→R1年度）"
    assert "出典: 苫小牧市 施策評価表 R1年度" in [a.text for a in view.bars.layout.annotations]


def test_a_row_from_zero_is_left_out_as_from_zero():
    frame = pd.DataFrame({"indicator": ["件数", "率"], "measure_id": ["1", "2"], "prev_value": [0.0, None],
                          "delta_pct": [None, None]})
    assert shaping._left_out(frame) == [("件数（施策 1）", shaping.NO_RATE["zero"]),
                                        ("率（施策 2）", shaping.NO_RATE["values"])]


def test_the_sentences_run_from_the_largest_change_whatever_the_table_order(con):
    changes = sql.run(con, "changes", {"min_abs_pct": 0.0}, order="measure_id")
    lines = shaping.changes_view(changes, several_munis=False).summaries.splitlines()
    size = dict(zip(changes["summary"], changes["delta_pct"].abs().fillna(-1)))
    assert [size[line] for line in lines] == sorted(size.values(), reverse=True)


def test_signed_changes_show_signs_and_keep_numbers():
    table = pd.DataFrame({"indicator": ["a", "b", "c", "d"], "delta": [21.0, -3.0, 0.0, None],
                          "delta_pct": [44.68, -20.0, 0.0, None]})
    styled = shaping.signed_changes(table)
    assert styled.data["delta"].tolist()[:3] == [21.0, -3.0, 0.0]  # the numbers stay
    shown = styled._translate(False, False)["body"]
    cells = [[c["display_value"] for c in row[1:]] for row in shown]
    assert [c[1] for c in cells] == ["+21", "−3", "±0", "－"]
    assert [c[2] for c in cells] == ["+44.7%", "−20.0%", "±0.0%", "－"]


def test_year_span_names_the_first_and_last_year(con):
    series = sql.run(con, "indicator_series", {"ids": sql.run(con, "indicator_options", {})["indicator_id"].tolist()})
    assert shaping.year_span(series, "wareki") == "H30年度〜R1年度"
    assert shaping.year_span(series, "seireki") == "2018年度〜2019年度"
    figure = shaping.trend_chart(series.head(2), "absolute", "line", "wareki", (), "出典: 苫小牧市 施策評価表 R1年度")
    assert figure.layout.title.text.endswith("（実数、H30年度〜R1年度）")
    assert "出典: 苫小牧市 施策評価表 R1年度" in [a.text for a in figure.layout.annotations]


def test_card_charts_carry_name_unit_years_and_source(con):
    series = sql.run(con, "indicator_series", {"ids": sql.run(con, "indicator_options", {})["indicator_id"].tolist()})
    bank = series.loc[series["indicator"] == "女性人材バンク登録者数", "indicator_id"].iloc[0]
    panel = shaping.indicator_panels(series, ())[bank]
    layout = panel.figure.layout
    assert layout.title.text == "女性人材バンク登録者数（人、H30年度〜R1年度）"
    assert [a.text for a in layout.annotations] == ["出典: 苫小牧市 施策評価表 R1年度"]
    line = int(series.loc[series["indicator_id"] == bank, "source_line"].iloc[0])
    assert panel.source == f"出典: 苫小牧市 施策評価表 R1年度（tomakomai_R1.txt {line}行）"

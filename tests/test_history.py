"""Many report years: next year's reports, derived from the seed, merged into one store.

The newest report wins where values differ, every such change is kept as a
revision, and what changed between report years is recorded.
"""

from __future__ import annotations

import pytest

from evaldash import imports, sql, store
from tests.conftest import SEED, folder_state
from tests.seedtools import derive

BANK = "女性人材バンク登録者数"  # 1110321, seed: H30 47, R1 68
R2_EDITS = dict(
    revise={BANK: {2019: "70"}},  # the R2 report corrects R1's 68 to 70
    reflection={"1110321": "A"},  # B -> A
    drop_measures=("1110422",),
    copy_measure=("1110411", "1110412"),
    add_indicator=("1110411", "平和学習講座", "回"),
    remove_indicators=("平和祈念式典来場者数",),
)


def build(folder, tmp_path, reports: dict[str, str]):
    folder.mkdir(exist_ok=True)
    for name, text in reports.items():
        (folder / name).write_text(text, encoding="utf-8")
    db = tmp_path / "history.duckdb"
    result = store.build(folder, db)
    return store.connect_readonly(db), result


def series(con, indicator: str, measure_id: str | None = None) -> list[tuple]:
    return con.execute(
        "SELECT fiscal_year, value, value_status, source_file FROM flat_indicators "
        "WHERE indicator = $i AND ($m IS NULL OR measure_id = $m) ORDER BY fiscal_year",
        {"i": indicator, "m": measure_id},
    ).fetchall()


@pytest.fixture
def r1_r2(tmp_path, seed_text):
    folder = tmp_path / "reports"
    con, result = build(folder, tmp_path, {
        "tomakomai_R1.txt": seed_text,
        "tomakomai_R2.txt": derive(seed_text, 2020, **R2_EDITS),
    })
    yield con, result
    con.close()


def test_derived_report_reads_as_the_next_year(seed_text):
    from evaldash.parse import parse_text

    report = parse_text(derive(seed_text, 2020), "tomakomai_R2.txt")
    assert (report.report_year, report.report_label, report.findings) == (2020, "R2年度", [])
    ind = next(i for _, _, m in report.measures() for i in m.indicators if i.name == BANK)
    assert [(c.fiscal_label, c.value) for c in ind.cells] == [
        ("R1年度", 68), ("R2年度", 69), ("R3年度", None), ("R4年度", None), ("R5年度", None)]


def test_newest_report_wins_and_older_years_stay(r1_r2):
    con, result = r1_r2
    assert result.reports == 2 and not [f for f in result.findings if f.severity == "error"]
    assert series(con, BANK) == [
        (2018, 47.0, "reported", "tomakomai_R1.txt"),
        (2019, 70.0, "reported", "tomakomai_R2.txt"),  # revised by the newer report
        (2020, 69.0, "reported", "tomakomai_R2.txt"),
    ]
    assert series(con, "原爆パネル展来場者数") == [
        (2018, 350.0, "reported", "tomakomai_R1.txt"),
        (2019, 740.0, "reported", "tomakomai_R2.txt"),  # same value, now from the newer report
        (2020, 741.0, "reported", "tomakomai_R2.txt"),
    ]
    assert con.execute("SELECT reflection FROM measures WHERE measure_id = '1110321'").fetchone() == ("A",)
    # 23 indicators in both reports x 3 years, 2 only in R1 x 2, the added one x 1, the copied measure's x 2
    assert con.execute("SELECT count(*) FROM flat_indicators").fetchone() == (23 * 3 + 2 * 2 + 1 + 2,)


def test_the_card_on_screen_and_in_print_names_the_older_report_of_an_older_year(r1_r2):
    from html import escape

    from evaldash import shaping
    from evaldash.export.printable import card_html

    con, _ = r1_r2
    lines = dict(con.execute("SELECT DISTINCT o.source_file, o.source_line FROM observations o JOIN indicators i "
                             "USING (municipality, indicator_id) WHERE i.indicator = $i", {"i": BANK}).fetchall())
    # H30 comes from the R1 report only; R1 (revised) and R2 from the R2 report, which the card is of.
    expected = (f"出典: 苫小牧市 施策評価表 R1年度（tomakomai_R1.txt {lines['tomakomai_R1.txt']}行）、"
                f"苫小牧市 施策評価表 R2年度（tomakomai_R2.txt {lines['tomakomai_R2.txt']}行）")
    shown = sql.run(con, "measure_indicators", {"measure_id": "1110321", "municipality": "苫小牧市"})
    panels = shaping.indicator_panels(sql.run(con, "indicator_series", {"ids": shown["indicator_id"].tolist()}), ())
    bank = panels[shown.loc[shown["indicator"] == BANK, "indicator_id"].iloc[0]]
    assert bank.values["fiscal_label"].tolist() == ["H30年度", "R1年度", "R2年度"]
    assert bank.source == expected
    assert bank.figure.layout.annotations[0].text == "出典: 苫小牧市 施策評価表 R1年度・R2年度"
    assert f'<div class="meta">{escape(expected)}</div>' in card_html(con, "苫小牧市", "1110321")


def test_revision_keeps_old_and_new_value_and_both_reports(r1_r2):
    con, _ = r1_r2
    got = con.execute(
        "SELECT measure_id, indicator, fiscal_year, fiscal_label, old_value, old_status, new_value, new_status, "
        "old_report, new_report, old_report_year, new_report_year FROM revisions"
    ).fetchall()
    assert got == [("1110321", BANK, 2019, "R1年度", 68.0, "reported", 70.0, "reported",
                    "tomakomai_R1.txt", "tomakomai_R2.txt", 2019, 2020)]
    shown = sql.run(con, "revisions")
    assert list(zip(shown["old_value"], shown["new_value"], shown["old_report"], shown["new_report"])) == [
        (68.0, 70.0, "tomakomai_R1.txt", "tomakomai_R2.txt")]


def test_report_changes_between_years(r1_r2):
    con, _ = r1_r2
    got = con.execute(
        "SELECT kind, measure_id, indicator, old, new, from_report, to_report, from_year, to_year "
        "FROM report_changes ORDER BY kind, measure_id"
    ).fetchall()
    base = ("tomakomai_R1.txt", "tomakomai_R2.txt", 2019, 2020)
    purpose_411 = con.execute("SELECT purpose FROM measures WHERE measure_id = '1110411'").fetchone()[0]
    purpose_422 = con.execute("SELECT purpose FROM measures WHERE measure_id = '1110422'").fetchone()[0]
    assert got == [
        ("indicator_added", "1110411", "平和学習講座", None, None, *base),
        ("indicator_removed", "1110421", "平和祈念式典来場者数", None, None, *base),
        ("measure_added", "1110412", None, None, purpose_411, *base),
        ("measure_dropped", "1110422", None, purpose_422, None, *base),
        ("reflection_changed", "1110321", None, "B", "A", *base),
    ]
    assert set(sql.run(con, "report_changes")["kind"]) == {
        "indicator_added", "indicator_removed", "measure_added", "measure_dropped", "reflection_changed"}


def test_a_new_date_qualifier_is_the_same_indicator(r1_r2):
    con, _ = r1_r2
    got = con.execute(
        "SELECT indicator_id, indicator, fiscal_year, value, source_file FROM flat_indicators "
        "WHERE indicator LIKE '附属機関等の設置数%' ORDER BY fiscal_year"
    ).fetchall()
    assert len({row[0] for row in got}) == 1  # one indicator, one series
    assert [row[1:] for row in got] == [
        ("附属機関等の設置数 (令和3年4月1日現在)", 2018, 74.0, "tomakomai_R1.txt"),
        ("附属機関等の設置数 (令和3年4月1日現在)", 2019, 72.0, "tomakomai_R2.txt"),
        ("附属機関等の設置数 (令和3年4月1日現在)", 2020, 73.0, "tomakomai_R2.txt"),
    ]
    assert con.execute("SELECT count(*) FROM report_changes WHERE indicator LIKE '%現在%'").fetchone() == (0,)
    # data/indicator_meta.csv names the R1 form; it still applies to the renamed indicator
    changes = sql.run(con, "changes", {"min_abs_pct": 0})
    row = changes[changes["indicator"] == "公募委員の割合 (令和3年4月1日現在)"]
    assert list(row["good_direction"]) == ["up"]
    assert list(row["latest_value"]) == [9.2]


def test_dropped_measure_and_removed_indicator_keep_their_earlier_values(r1_r2):
    con, _ = r1_r2
    assert series(con, "要請回数") == [(2018, 0.0, "reported", "tomakomai_R1.txt"),
                                     (2019, 1.0, "reported", "tomakomai_R1.txt")]
    assert series(con, "平和祈念式典来場者数") == [(2018, 279.0, "reported", "tomakomai_R1.txt"),
                                               (2019, 281.0, "reported", "tomakomai_R1.txt")]
    assert series(con, "平和学習講座") == [(2020, 3.0, "reported", "tomakomai_R2.txt")]
    assert series(con, "広島派遣への累計参加者数", "1110412") == [(2019, 130.0, "reported", "tomakomai_R2.txt"),
                                                          (2020, 131.0, "reported", "tomakomai_R2.txt")]


def test_newest_is_the_report_year_not_the_file_name(tmp_path, seed_text):
    # "2020…" sorts before "tomakomai_R1.txt", yet the R2 report is still the newer one.
    con, _ = build(tmp_path / "reports", tmp_path, {
        "tomakomai_R1.txt": seed_text,
        "2020_tomakomai.txt": derive(seed_text, 2020, revise={BANK: {2019: "70"}}),
    })
    assert series(con, BANK)[1] == (2019, 70.0, "reported", "2020_tomakomai.txt")
    assert con.execute("SELECT old_value, new_value, old_report, new_report FROM revisions").fetchall() == [
        (68.0, 70.0, "tomakomai_R1.txt", "2020_tomakomai.txt")]


def test_three_report_years(tmp_path, seed_text):
    con, _ = build(tmp_path / "reports", tmp_path, {
        "tomakomai_R1.txt": seed_text,
        "tomakomai_R2.txt": derive(seed_text, 2020, revise={BANK: {2019: "70"}}),
        "tomakomai_R3.txt": derive(seed_text, 2021, revise={BANK: {2020: "75"}}),
    })
    assert series(con, BANK) == [
        (2018, 47.0, "reported", "tomakomai_R1.txt"),
        (2019, 70.0, "reported", "tomakomai_R2.txt"),
        (2020, 75.0, "reported", "tomakomai_R3.txt"),
        (2021, 70.0, "reported", "tomakomai_R3.txt"),
    ]
    assert con.execute(
        "SELECT fiscal_year, old_value, new_value, old_report, new_report FROM revisions ORDER BY fiscal_year"
    ).fetchall() == [
        (2019, 68.0, 70.0, "tomakomai_R1.txt", "tomakomai_R2.txt"),
        (2020, 69.0, 75.0, "tomakomai_R2.txt", "tomakomai_R3.txt"),
    ]
    assert con.execute("SELECT DISTINCT from_year, to_year FROM report_changes").fetchall() == []  # no structural change
    assert sorted(con.execute("SELECT report_year FROM reports").fetchall()) == [(2019,), (2020,), (2021,)]


def test_blank_never_overrides_and_dash_does(tmp_path, seed_text):
    con, _ = build(tmp_path / "reports", tmp_path, {
        "tomakomai_R1.txt": seed_text,
        "tomakomai_R2.txt": derive(seed_text, 2020, revise={
            "原爆パネル展来場者数": {2019: ""},  # left blank: not reported, the older value stays
            "広島派遣への累計参加者数": {2019: "-"},  # written "-": reported as no value, it wins
        }),
    })
    assert series(con, "原爆パネル展来場者数")[1] == (2019, 740.0, "reported", "tomakomai_R1.txt")
    assert series(con, "広島派遣への累計参加者数")[1] == (2019, None, "no_value", "tomakomai_R2.txt")
    assert con.execute("SELECT indicator, old_value, old_status, new_value, new_status FROM revisions").fetchall() == [
        ("広島派遣への累計参加者数", 130.0, "reported", None, "no_value")]


def test_preview_of_next_year_shows_what_would_change_and_writes_nothing(reports_dir, seed_text):
    before = folder_state(reports_dir.parent)
    r2 = derive(seed_text, 2020, **R2_EDITS).encode()
    _, got = imports.check_and_preview("tomakomai_R2.txt", r2, reports_dir)
    assert folder_state(reports_dir.parent) == before
    revised = got["revised_values"]
    assert list(zip(revised["indicator"], revised["fiscal_label"], revised["old_value"], revised["new_value"])) == [
        (BANK, "R1年度", 68.0, 70.0)]
    assert list(got["new_fiscal_years"]["fiscal_label"]) == ["R2年度"]
    assert list(got["new_measures"]["measure_id"]) == ["1110412"]
    assert SEED.name in {p.name for p in reports_dir.iterdir()}

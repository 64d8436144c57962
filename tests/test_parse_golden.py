"""Golden test: the bundled report (data/reports/tomakomai_R1.txt), read exactly.

The tables below are copied by hand from the report. If one of these numbers
changes, the dashboard would show a wrong number to the city council.
"""

from __future__ import annotations

import pytest

from evaldash import normalize as nz

NO = None  # "-" in the report: reported as no value

# 施策番号, 指標名, 単位, H30年度, R1年度, source line
INDICATORS = [
    ("1110111", "町内会とのブロック別意見交換会",                            "回",   6,         7,         36),
    ("1110121", "コミュニティセンター施設等整備",                            "件",   5,         9,         56),
    ("1110121", "総合福祉会館等改修・修繕補助",                              "件",   14,        15,        57),
    ("1110211", "市民自治のまちづくり出前講座",                              "回",   4,         1,         93),
    ("1110211", "地域づくりセミナー",                                        "回",   1,         1,         94),
    ("1110211", "寄付講座 (苫小牧市特別講座)",                               "回",   2,         1,         95),
    ("1110212", "附属機関等の設置数 (令和2年4月1日現在)",                    "機関", 74,        72,        113),
    ("1110212", "公募委員の割合 (令和2年4月1日現在)",                        "%",    8.1,       8.2,       114),
    ("1110213", "包括連携協定締結件数 (令和2年4月1日現在)",                  "件",   6,         9,         132),
    ("1110213", "個別連携協定締結件数 (令和2年4月1日現在)",                  "件",   235,       244,       133),
    ("1110213", "公共サービス民間提案制度による採択事業",                    "事業", 5,         3,         134),
    ("1110221", "市民の声 (広聴) による要望等",                              "件",   1_365,     1_531,     154),
    ("1110221", "まちかどミーティング参加者 (市民)",                         "人",   516,       530,       155),
    ("1110231", "ホームページやSNSへのアクセス数",                           "件",   9_943_885, 9_100_327, 175),
    ("1110311", "「苫小牧市男女平等参画都市宣言」を見聞きしたことがある市民の割合", "%", NO, NO,  214),
    ("1110312", "デートDV防止出前授業",                                      "校",   20,        20,        235),
    ("1110321", "審議会等委員の女性比率",                                    "%",    26.9,      27.1,      255),
    ("1110321", "女性人材バンク登録者数",                                    "人",   47,        68,        256),
    ("1110322", "女性団体等学習活動援助",                                    "団体", 5,         4,         276),
    ("1110322", "女性のエンパワーメント講座",                                "人",   15,        114,       277),
    ("1110331", "ワークライフバランス等企業表彰",                            "社",   4,         3,         297),
    ("1110411", "広島派遣への累計参加者数",                                  "人",   125,       130,       333),
    ("1110421", "原爆パネル展来場者数",                                      "人",   350,       740,       354),
    ("1110421", "平和祈念式典来場者数",                                      "人",   279,       281,       355),
    ("1110422", "要請回数",                                                  "回",   0,         1,         376),
]

POLICIES = [
    (1, "地域活動の促進", [(1, "地域住民組織の活性化と地域活動の支援"), (2, "市民交流拠点の整備")]),
    (2, "市民自治の推進", [(1, "市民参加・協働の促進"), (2, "広聴の充実"), (3, "広報の充実")]),
    (3, "男女平等参画の推進", [(1, "男女平等参画の推進"), (2, "女性の社会参画の促進"), (3, "男女平等参画の環境の整備")]),
    (4, "平和の推進", [(1, "平和思想の普及"), (2, "世界恒久平和の実現")]),
]

KYODO = [("総合政策部", "協働・男女平等参画室")]
# 施策番号, 運営方針, 主な取組, 反映区分, 担当部・課, 施策番号 line
MEASURES = [
    ("1110111", 1, 1, "B", [("市民生活部", "市民生活課")], 26),
    ("1110121", 1, 2, "B", [("市民生活部", "市民生活課")], 46),
    ("1110211", 2, 1, "A", KYODO, 83),
    ("1110212", 2, 1, "A", KYODO, 105),
    ("1110213", 2, 1, "A", KYODO, 124),
    ("1110221", 2, 2, "A", KYODO, 144),
    ("1110231", 2, 3, "A", [("総合政策部", "秘書広報課")], 165),
    ("1110311", 3, 1, "B", KYODO, 204),
    ("1110312", 3, 1, "B", KYODO, 225),
    ("1110321", 3, 2, "B", KYODO, 245),
    ("1110322", 3, 2, "B", KYODO, 266),
    ("1110331", 3, 3, "B", KYODO, 287),
    ("1110411", 4, 1, "A", [("総合政策部", "政策推進課")], 323),
    ("1110421", 4, 2, "A", [("総合政策部", "政策推進課"), ("福祉部", "総合福祉課")], 343),
    ("1110422", 4, 2, "A", [("総合政策部", "政策推進課")], 366),
]
LABELS = {"A": "趣旨に沿って措置したもの", "B": "実現に向けて努力しているもの"}


def measures(report):
    return {m.measure_id: (p, i, m) for p, i, m in report.measures()}


def indicators(report):
    return {(m.measure_id, ind.name): ind for _, _, m in report.measures() for ind in m.indicators}


def test_report_identity_and_no_findings(seed_report):
    assert seed_report.municipality == "苫小牧市"
    assert seed_report.report_year == 2019
    assert seed_report.report_label == "R1年度"
    assert seed_report.encoding == "utf-8"
    assert seed_report.source_file == "tomakomai_R1.txt"
    assert [str(f) for f in seed_report.findings] == []


def test_four_policies_with_their_initiatives(seed_report):
    got = [(p.number, p.name, [(i.number, i.name) for i in p.initiatives]) for p in seed_report.policies]
    assert got == POLICIES
    assert [p.line for p in seed_report.policies] == [3, 60, 178, 300]


def test_policy_texts(seed_report):
    p1, p2, p3, p4 = seed_report.policies
    assert [len(p.situation) for p in (p1, p2, p3, p4)] == [2, 3, 4, 3]
    assert [len(p.goals) for p in (p1, p2, p3, p4)] == [2, 1, 1, 1]
    assert p1.goals[0] == "町内会活動に対する意識を高めるために、町内会活動の活性化を図り、明るく住みよい地域社会を構築します。"
    assert p3.plans == ["苫小牧市男女平等参画基本計画"]
    assert p1.plans == p2.plans == p4.plans == []
    # OCR slip in 現況と課題 of 運営方針04: corrected, and kept as written beside it
    assert "「苫小牧市非核平和都市条例」" in p4.situation[0]
    assert "「苦小牧市非核平和都市条例」" in p4.situation_raw[0]


def test_fifteen_measures_with_departments_and_reflection(seed_report):
    ms = measures(seed_report)
    assert list(ms) == [m[0] for m in MEASURES]
    for measure_id, policy_no, initiative_no, letter, depts, line in MEASURES:
        p, i, m = ms[measure_id]
        assert (p.number, i.number) == (policy_no, initiative_no), measure_id
        assert (m.reflection, m.reflection_label) == (letter, LABELS[letter]), measure_id
        assert [(d.dept, d.section) for d in m.departments] == depts, measure_id
        assert m.line == line, measure_id
        assert m.purpose and "<" not in m.purpose


def test_measure_purpose_is_read_from_the_label_line(seed_report):
    _, _, m = measures(seed_report)["1110231"]
    assert m.purpose.startswith("市民生活やまちづくりに関する情報を、わかりやすく")
    _, _, m = measures(seed_report)["1110421"]
    assert m.purpose.startswith("「苫小牧市非核平和都市条例」に基づき")
    assert m.purpose_raw.startswith("「苦小牧市非核平和都市条例」に基づき")


def test_twenty_five_indicators_every_value(seed_report):
    got = indicators(seed_report)
    assert len(got) == 25
    assert list(got) == [(mid, name) for mid, name, *_ in INDICATORS]
    for measure_id, name, unit, h30, r1, line in INDICATORS:
        ind = got[(measure_id, name)]
        assert ind.unit == unit, name
        assert ind.line == line, name
        cells = {c.fiscal_label: c for c in ind.cells}
        assert list(cells) == ["H30年度", "R1年度", "R2年度", "R3年度", "R4年度"], name
        assert [c.fiscal_year for c in ind.cells] == [2018, 2019, 2020, 2021, 2022], name
        for label, expected in (("H30年度", h30), ("R1年度", r1)):
            cell = cells[label]
            if expected is NO:
                assert (cell.value, cell.status) == (None, nz.STATUS_NO_VALUE), (name, label)
            else:
                assert (cell.value, cell.status) == (pytest.approx(expected), nz.STATUS_REPORTED), (name, label)
        for label in ("R2年度", "R3年度", "R4年度"):  # future years: blank, not reported
            assert (cells[label].value, cells[label].status) == (None, nz.STATUS_NOT_REPORTED), (name, label)


def test_the_examples_named_in_the_issue(seed_report):
    got = indicators(seed_report)

    def values(measure_id, name):
        ind = got[(measure_id, name)]
        return [c.value for c in ind.cells[:2]], ind.unit

    assert values("1110321", "女性人材バンク登録者数") == ([47, 68], "人")
    assert values("1110421", "原爆パネル展来場者数") == ([350, 740], "人")
    assert values("1110231", "ホームページやSNSへのアクセス数") == ([9_943_885, 9_100_327], "件")
    assert got[("1110231", "ホームページやSNSへのアクセス数")].cells[0].raw == "9,943,885"


def test_noted_indicator_has_no_values_and_its_note(seed_report):
    ind = indicators(seed_report)[("1110311", "「苫小牧市男女平等参画都市宣言」を見聞きしたことがある市民の割合")]
    assert [(c.fiscal_label, c.value, c.status) for c in ind.cells[:2]] == [
        ("H30年度", None, "no_value"),
        ("R1年度", None, "no_value"),
    ]
    assert ind.notes == ["※令和3年度調査予定(平成27年度 40%)"]
    # The note is not an indicator of its own.
    assert [i.name for i in measures(seed_report)["1110311"][2].indicators] == [ind.name]


def test_qualifiers_stay_in_the_name_and_unit_apart(seed_report):
    ind = indicators(seed_report)[("1110212", "附属機関等の設置数 (令和2年4月1日現在)")]
    assert (ind.name, ind.unit) == ("附属機関等の設置数 (令和2年4月1日現在)", "機関")


def test_two_department_pairs_and_sections_of_1110421(seed_report):
    _, _, m = measures(seed_report)["1110421"]
    assert [(d.dept, d.section) for d in m.departments] == [("総合政策部", "政策推進課"), ("福祉部", "総合福祉課")]
    assert [(a.section, a.line) for a in m.actions] == [("政策推進課", 351), ("総合福祉課", 352)]
    assert m.actions[0].text.startswith("1年を通して2種類の懸垂幕を本庁舎外に掲示。")
    assert m.actions[1].text.startswith("平和祈念式典の実施")
    assert [(f.section, f.line) for f in m.future] == [("政策推進課", 356), ("総合福祉課", 357)]
    assert m.future[1].text.startswith("苫小牧市関係戦没者に対し")
    assert not any(t.text.startswith("(") for t in m.actions + m.future)  # section taken off the text


def test_ocr_slips_corrected_with_raw_kept(seed_report):
    _, _, m = measures(seed_report)["1110231"]
    line = [a for a in m.actions if "LINE" in a.text][0]
    assert line.text == "苫小牧市LINE公式アカウントの導入 (3月9日運用開始)"
    assert line.raw == "苦小牧市LINE公式アカウントの導入 (3月9日運用開始)"

    _, _, m = measures(seed_report)["1110331"]
    assert m.actions[0].text == "ワークライフバランス等企業表彰の実施"
    assert m.actions[0].raw == "ワークライフバランス等企业表彰の実施"
    ind = m.indicators[0]
    assert (ind.name, ind.name_raw) == ("ワークライフバランス等企業表彰", "ワークライフバランス等企业表彰")

    _, _, m = measures(seed_report)["1110421"]
    assert "苫小牧市民会館" in m.actions[1].text and "苦小牧市民会館" in m.actions[1].raw
    assert m.future[1].raw.startswith("苦小牧市関係戦没者")

    every_text = [
        t for _, _, m in seed_report.measures()
        for t in [m.purpose] + [a.text for a in m.actions] + [f.text for f in m.future] + [i.name for i in m.indicators]
    ]
    assert not any("苦小牧" in t or "企业" in t for t in every_text)


def test_actions_are_html_free_bullet_items(seed_report):
    ms = measures(seed_report)
    assert [a.text for a in ms["1110321"][2].actions] == [
        "女性人材バンク登録者の募集及び女性人材バンクの活用依頼",
        "女性人材バンク登録者への研修会の実施",
    ]
    actions = ms["1110311"][2].actions
    assert len(actions) == 3
    assert actions[0].text.startswith("市民・団体、企業の方と協働しての「男女平等参画を推進する市民会議」")
    assert actions[2].text == "官民合同研修"
    for _, _, m in seed_report.measures():
        assert m.actions and m.future, m.measure_id
        for t in [a.text for a in m.actions] + [f.text for f in m.future]:
            assert "<" not in t and ">" not in t and not t.startswith("・"), t


def test_future_paragraphs_split_on_p(seed_report):
    future = measures(seed_report)["1110213"][2].future
    assert len(future) == 3
    assert future[0].text.startswith("市と民間企業等がお互いの強みをいかながら")
    assert all(f.line == 135 for f in future)
    plain = measures(seed_report)["1110311"][2].future  # no <p> at all
    assert [f.text[:14] for f in plain] == ["男女平等参画推進条例に基づき"]

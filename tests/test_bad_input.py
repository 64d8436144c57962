"""Bad input: every case gets a finding that names the file, the line and what was expected.

Cases are made from the seed by changing one line; line numbers are the seed's
(256 is the 女性人材バンク登録者数 row of 施策 1110321, 248 its 担当部・課 row).
"""

from __future__ import annotations

import hashlib
import re

import pytest

from evaldash import access, imports, store
from evaldash.parse import parse_bytes
from evaldash.report import ParseError
from evaldash.source import MAX_REPORT_BYTES
from tests.conftest import REPORTS, digest, folder_state, run_cli
from tests.seedtools import derive

CLI = access.cli_actor()  # the operator on the server: not role-checked

BANK_ROW = "\t女性人材バンク登録者数\t人\t47\t68\t\t\t"


def findings(data: bytes | str, name: str = "bad.txt"):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return imports.check_bytes(data, name)[1]


def one(found, line: int, severity: str, *fragments: str):
    """The finding at `line` with `severity` whose message holds every fragment."""
    hits = [f for f in found if f.line == line and f.severity == severity and all(x in f.message for x in fragments)]
    assert hits, "\n".join(str(f) for f in found)
    assert all(f.file for f in found)
    return hits[0]


def shape(report):
    """Everything a report says, corrected: two reports with the same shape read the same."""
    return (
        report.municipality, report.report_year, report.report_label,
        [(p.number, p.name, p.situation, p.goals, p.plans, p.line,
          [(i.number, i.name, i.line) for i in p.initiatives]) for p in report.policies],
        [(m.measure_id, m.purpose, m.line, [(d.dept, d.section) for d in m.departments], m.reflection,
          m.reflection_label, [(a.text, a.section, a.line) for a in m.actions],
          [(f.text, f.section, f.line) for f in m.future],
          [(i.name, i.unit, i.line, i.notes, [(c.fiscal_year, c.fiscal_label, c.value, c.status) for c in i.cells])
           for i in m.indicators]) for _, _, m in report.measures()],
    )


# -- encodings and line ends: read, and read the same ----------------------------------------------

@pytest.mark.parametrize(
    "encode, encoding",
    [
        (lambda t: t.encode("cp932"), "cp932"),
        (lambda t: t.replace("\n", "\r\n").encode("cp932"), "cp932"),  # a Windows file
        (lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"), "utf-8-bom"),
        (lambda t: t.replace("\n", "\r\n").encode("utf-8"), "utf-8"),
        (lambda t: t.encode("utf-16"), "utf-16"),  # Excel's "Unicode text"
    ],
    ids=["cp932", "cp932-crlf", "utf8-bom", "crlf", "utf-16"],
)
def test_other_encodings_and_line_ends_read_identically(seed_text, seed_report, encode, encoding):
    # 业 (in the OCR slip 企业) has no Shift_JIS code, so that file would hold the corrected form.
    text = seed_text.replace("企业", "企業")
    report = parse_bytes(encode(text), "tomakomai_R1.txt")
    assert report.encoding == encoding
    assert report.findings == []
    assert shape(report) == shape(seed_report)


# -- unreadable files ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("data", [b"", b"   \n\n\t\r\n", b"\xef\xbb\xbf"])
def test_empty_file(data):
    f = one(findings(data, "empty.txt"), 0, "error", "ファイルが空です", "施策評価表の本文（テキスト）が必要です")
    assert f.file == "empty.txt"


def test_binary_file():
    data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 20
    one(findings(data, "photo.txt"), 0, "error", "バイナリのファイルです", "テキストの報告書が必要です")


def test_pdf_instead_of_its_text():
    one(findings(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "report.txt"), 0, "error", "PDF", "テキスト（タブ区切りの .txt）に変換したものが必要です")


def test_bytes_that_are_neither_utf8_nor_cp932(seed_text):
    data = seed_text.encode("utf-8")
    at = data.index(b"\t47\t68")
    data = data[:at] + b"\xff\xfe\xfd" + data[at:]
    one(findings(data), 256, "error", "UTF-8 でも Shift_JIS（CP932）でもない", "どちらかの文字コードのテキストが必要です")


def test_oversize_file(tmp_path):
    big = tmp_path / "huge.txt"
    with open(big, "wb") as fh:
        fh.truncate(MAX_REPORT_BYTES + 1)  # sparse: nothing is written or read
    one(imports.check_file(big), 0, "error", f"{MAX_REPORT_BYTES + 1:,} バイト", f"{MAX_REPORT_BYTES:,} バイトまで")
    one(findings(b"x" * (MAX_REPORT_BYTES + 1), "huge.txt"), 0, "error", "バイトまで")


def test_missing_file_and_folder(tmp_path):
    one(imports.check_file(tmp_path / "nope.txt"), 0, "error", "ファイルを読めません")
    (tmp_path / "dir.txt").mkdir()
    one(imports.check_file(tmp_path / "dir.txt"), 0, "error", "ファイルを読めません")


@pytest.mark.parametrize("name", ["gone.txt", "gone.csv", "gone.xlsx"])
def test_a_source_that_cannot_be_read_at_build_time_is_a_finding(tmp_path, name):
    """A report or a template that vanished or became a folder between listing and reading (or that the
    server's user may not read) stops the build with a finding, not a traceback."""
    (tmp_path / name).mkdir()
    reports, found = store.load_reports([tmp_path / name])
    assert reports == []
    one(found, 0, "error", "ファイルを読めません（フォルダです）", "報告書かテンプレート")


def test_unsupported_suffix():
    one(findings(b"anything", "report.docx"), 0, "error", ".docx のファイルは取り込めません", ".txt、.csv、.xlsx のどれかが必要です")


# -- not this layout, or cut short ---------------------------------------------------------------------

def test_another_citys_layout():
    text = (
        "令和元年度 札幌市 事務事業評価シート\n"
        "事業名\t予算額\t決算額\n"
        "除雪事業\t1,000\t980\n"
        "評価\tA\n"
    )
    found = findings(text, "sapporo.txt")
    one(found, 0, "error", "運営方針の見出しが見つかりません", "「運営方針01 地域活動の促進」のような行が必要です")
    one(found, 1, "warning", "最初の運営方針の見出しより前の 4 行は読み飛ばしました")
    with pytest.raises(ParseError):
        parse_bytes(text.encode(), "sapporo.txt")


def test_truncated_mid_measure(seed_text):
    cut = "\n".join(seed_text.split("\n")[:256])  # ends with the 女性人材バンク登録者数 row
    found = findings(cut)
    one(found, 256, "error", "施策 1110321（245行目）の今後の取組の方向性の行より前でファイルが終わっています",
        "途中で切れている", "どの施策も今後の取組の方向性で終わるはずです")
    assert not [f for f in found if f.severity == "warning" and "1110321" in f.message]  # said once


def test_truncated_mid_row(seed_text):
    cut = seed_text[: seed_text.index(BANK_ROW) + len("\t女性人材バンク")]
    found = findings(cut)
    one(found, 256, "warning", "足りません", "同じ 8 列")
    one(found, 256, "error", "途中で切れている")


def test_truncated_mid_character(seed_text):
    data = seed_text.encode("utf-8")
    cut = data[: data.index("女性人材バンク登録者数".encode()) + 4]  # inside 性
    found = findings(cut)
    one(found, 256, "error", "文字の途中でファイルが終わっています", "完全な報告書が必要です")


def test_truncated_mid_character_after_a_bom(seed_text):
    data = b"\xef\xbb\xbf" + seed_text.encode("utf-8")
    cut = data[: data.index("女性人材バンク登録者数".encode()) + 4]
    one(findings(cut), 256, "error", "文字の途中でファイルが終わっています", "完全な報告書が必要です")


def test_truncated_inside_a_paragraph(seed_text):
    lines = seed_text.split("\n")
    lines[256] = lines[256][:40]  # line 257, 今後の取組の方向性 of 1110321, cut inside its <p>
    found = findings("\n".join(lines[:257]))
    one(found, 257, "error", "施策 1110321 の <p> 段落の途中で終わっています", "段落は </p> で閉じるはずです")


def test_truncated_after_the_label(seed_text):
    cut = "\n".join(seed_text.split("\n")[:245])
    one(findings(cut), 245, "error", "施策番号の後に7桁の番号がありません", "次の行に7桁の施策番号が必要です")


# -- one bad line ---------------------------------------------------------------------------------------

BANK_LINE, REFLECTION_LINE, HEADER_LINE, ID_LINE = 256, 248, 254, 267  # in the seed
REFLECTION = "担当部・課\t総合政策部 協働・男女平等参画室\t反映区分\t"
HEADER = "評価指標 (事業実績)\t指標名\t単位\t"

CASES = [
    # (what, seed line to replace, its new text, line of the finding, severity, message fragments)
    ("too few cells", BANK_LINE, "\t女性人材バンク登録者数\t人\t47",
     256, "warning", ["の行は 4 列で足りません", "同じ 8 列", "空欄、指標名、単位、年度 5 列"]),
    ("too many cells", BANK_LINE, BANK_ROW + "\t\t99",
     256, "error", ["の行は 10 列で多すぎます", "同じ 8 列", "余分な値 「99」"]),
    ("not a number", BANK_LINE, "\t女性人材バンク登録者数\t人\t四十七\t68\t\t\t",
     256, "error", ["「女性人材バンク登録者数」 H30年度: 「四十七」 は数値ではありません", "1,365、- または空欄のように書きます"]),
    ("number with a unit", BANK_LINE, "\t女性人材バンク登録者数\t人\t47\t68人\t\t\t",
     256, "error", ["R1年度: 「68人」 は数値ではありません"]),
    ("no name", BANK_LINE, "\t\t人\t47\t68\t\t\t",
     256, "error", ["指標名がありません", "指標名が必要です"]),
    ("indicator twice", BANK_LINE, BANK_ROW + "\n" + BANK_ROW,
     257, "error", ["「女性人材バンク登録者数」 が施策 1110321 に2回あります（最初は 256行目）", "1回ずつのはずです"]),
    ("unknown 反映区分 letter", REFLECTION_LINE, REFLECTION + "C (検討中)",
     248, "warning", ["反映区分の記号 「C」 は A でも B でもありません"]),
    ("反映区分 not a letter", REFLECTION_LINE, REFLECTION + "済",
     248, "error", ["反映区分 「済」 が記号ではありません", "A か B の記号と説明が必要です"]),
    ("no 反映区分 cell", REFLECTION_LINE, "担当部・課\t総合政策部 協働・男女平等参画室",
     248, "error", ["反映区分のセルがありません", "「担当部・課 <部 課> 反映区分 <A|B (…)>」の形が必要です"]),
    ("no 担当部・課", REFLECTION_LINE, "担当部・課\t\t反映区分\tB",
     248, "error", ["担当部・課が空です", "部と課の組が必要です"]),
    ("year header not a year", HEADER_LINE, HEADER + "H30年度\t昨年度\tR2年度\tR3年度\tR4年度",
     254, "error", ["「昨年度」 は年度ではありません", "H30年度 や R1年度 のような年度が必要です"]),
    ("gap in the year header", HEADER_LINE, HEADER + "H30年度\t\tR2年度\tR3年度\tR4年度",
     254, "error", ["年度の列の間に空の列があります"]),
    ("year twice in the header", HEADER_LINE, HEADER + "H30年度\t令和元年度\tR1年度\tR3年度\tR4年度",
     254, "error", ["年度 「R1年度」 が2回あります", "年度は1回ずつのはずです"]),
    ("measure id twice", ID_LINE, "1110321\t",
     267, "error", ["施策番号 1110321 が2回あります（最初は 245行目）"]),
    ("measure id not 7 digits", ID_LINE, "111032\t",
     267, "error", ["266行目の施策番号の次の行に7桁の施策番号が必要ですが、「111032」 でした"]),
]


def replace_line(text: str, number: int, new: str) -> str:
    lines = text.split("\n")
    lines[number - 1] = new
    return "\n".join(lines)


def test_the_lines_the_cases_replace(seed_text):
    lines = seed_text.split("\n")
    assert lines[BANK_LINE - 1] == BANK_ROW
    assert lines[REFLECTION_LINE - 1] == REFLECTION + "B (実現に向けて努力しているもの)"
    assert lines[HEADER_LINE - 1] == HEADER + "H30年度\tR1年度\tR2年度\tR3年度\tR4年度"
    assert lines[ID_LINE - 1] == "1110322\t"


@pytest.mark.parametrize("what, number, new, line, severity, fragments", CASES, ids=[c[0] for c in CASES])
def test_one_bad_line(seed_text, what, number, new, line, severity, fragments):
    found = findings(replace_line(seed_text, number, new))
    f = one(found, line, severity, *fragments)
    assert f.file == "bad.txt"
    if severity == "warning":  # the rest of the report still reads without error
        assert not [x for x in found if x.severity == "error"], [str(x) for x in found]


def test_finding_format(seed_text):
    f = one(findings(seed_text.replace(BANK_ROW, BANK_ROW.replace("47", "x"))), 256, "error", "数値ではありません")
    assert re.fullmatch(r"bad\.txt:256: エラー: .+", str(f))


def test_a_finding_about_the_whole_file_names_no_line_0():
    f = one(findings("関係のない文書です。\n", "other.txt"), 0, "error", "運営方針の見出しが見つかりません")
    assert str(f).startswith("other.txt: エラー: ファイル全体: 運営方針の見出しが見つかりません")
    assert ":0:" not in str(f)
    (whole,) = [str(x) for x in findings(b"", "empty.txt")]
    assert whole == "empty.txt: エラー: ファイル全体: ファイルが空です: 施策評価表の本文（テキスト）が必要です"


# -- the CLI: check, add -------------------------------------------------------------------------------

def test_check_prints_findings_and_exits_1_on_error(tmp_path, seed_text):
    bad = tmp_path / "bad.txt"
    bad.write_text(seed_text.replace(BANK_ROW, "\t女性人材バンク登録者数\t人\t47\tabc\t\t\t"), encoding="utf-8")
    done = run_cli("check", bad)
    assert done.returncode == 1
    assert re.search(rf"^{re.escape(str(bad))}:256: エラー: 「女性人材バンク登録者数」 R1年度: 「abc」 は数値ではありません",
                     done.stdout, re.MULTILINE), done.stdout + done.stderr
    for line in done.stdout.splitlines():
        assert re.fullmatch(r"[^:]+(:[1-9]\d*)?: (エラー|注意): .+", line), line
        assert ":0:" not in line, line


def test_check_warnings_only_exits_0(tmp_path, seed_text):
    odd = tmp_path / "odd.txt"
    odd.write_text(replace_line(seed_text, REFLECTION_LINE, REFLECTION + "C"), encoding="utf-8")
    done = run_cli("check", odd)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{odd}:248: 注意: 反映区分の記号 「C」 は A でも B でもありません" in done.stdout


def test_check_the_bundled_report_is_clean():
    done = run_cli("check", REPORTS / "tomakomai_R1.txt")
    assert done.returncode == 0
    assert done.stdout == ""
    assert "問題ありません" in done.stderr


@pytest.mark.parametrize("bad_bytes", [
    b"",
    b"\x00\x01\x02binary",
    "関係のない文書です。\n".encode(),
    None,  # the seed with a non-number value
], ids=["empty", "binary", "other-layout", "not-a-number"])
def test_add_of_a_bad_file_changes_nothing(reports_dir, tmp_path, seed_text, bad_bytes):
    db = tmp_path / "s.duckdb"
    store.build(reports_dir, db)
    before_folder, before_db = folder_state(reports_dir), digest(db)
    bad = tmp_path / "incoming" / "tomakomai_R2.txt"
    bad.parent.mkdir()
    bad.write_bytes(bad_bytes if bad_bytes is not None
                    else derive(seed_text, 2020).replace("\t68\t69\t", "\t68\tabc\t").encode())
    done = run_cli("add", bad, "--reports", reports_dir, "--db", db)
    assert done.returncode == 1
    assert "tomakomai_R2.txt" in done.stderr and ": エラー: " in done.stderr
    assert "変わっていません" in done.stderr
    assert folder_state(reports_dir) == before_folder
    assert digest(db) == before_db


def test_add_never_overwrites_a_different_file_of_the_same_name(reports_dir, tmp_path, seed_text):
    db = tmp_path / "s.duckdb"
    store.build(reports_dir, db)
    before_folder, before_db = folder_state(reports_dir), digest(db)
    other = tmp_path / "incoming" / "tomakomai_R1.txt"  # same name, a good but different report
    other.parent.mkdir()
    other.write_text(derive(seed_text, 2020), encoding="utf-8")
    done = run_cli("add", other, "--reports", reports_dir, "--db", db)
    assert done.returncode == 1
    assert "tomakomai_R1.txt: エラー: ファイル全体: 同じ名前の別のファイルが reports フォルダにあります" in done.stderr
    assert folder_state(reports_dir) == before_folder
    assert digest(db) == before_db


def test_add_the_same_file_again_is_a_no_op(reports_dir, tmp_path):
    db = tmp_path / "s.duckdb"
    store.build(reports_dir, db)
    before = folder_state(reports_dir)
    outcome = imports.add_sources([("tomakomai_R1.txt", (REPORTS / "tomakomai_R1.txt").read_bytes())], reports_dir, db, actor=CLI)
    assert outcome.ok and outcome.added == []
    assert any("同じファイルが reports フォルダにあります" in f.message for f in outcome.findings)
    assert folder_state(reports_dir) == before


def test_add_rejects_a_name_given_twice_and_paths(reports_dir, tmp_path, seed_text):
    db = tmp_path / "s.duckdb"
    store.build(reports_dir, db)
    before = folder_state(reports_dir)
    r2 = derive(seed_text, 2020).encode()
    outcome = imports.add_sources([("r2.txt", r2), ("r2.txt", r2 + b"\n")], reports_dir, db, actor=CLI)
    assert not outcome.ok and any("2回あります" in f.message for f in outcome.findings)
    outcome = imports.add_sources([("../r2.txt", r2)], reports_dir, db, actor=CLI)
    assert not outcome.ok and any("名前だけが必要です" in f.message for f in outcome.findings)
    assert folder_state(reports_dir) == before


@pytest.mark.parametrize("placed", ["a report", "a broken file"])
def test_a_name_placed_in_the_folder_during_the_add_takes_back_the_files_moved_in(reports_dir, tmp_path, seed_text,
                                                                                  monkeypatch, placed):
    db = tmp_path / "s.duckdb"
    store.build(reports_dir, db)
    before = folder_state(reports_dir)
    r2, r3 = derive(seed_text, 2020).encode(), derive(seed_text, 2021).encode()
    theirs = r3 if placed == "a report" else "施策番号\t12\n".encode()
    link = imports._link

    def someone_else_first(source, target):  # another add or the operator places r3.txt just before it is linked
        if target.name == "r3.txt":
            target.write_bytes(theirs)
        link(source, target)

    monkeypatch.setattr(imports, "_link", someone_else_first)
    outcome = imports.add_sources([("r2.txt", r2), ("r3.txt", r3)], reports_dir, db, actor=CLI)
    assert not outcome.ok and outcome.added == []
    assert "取り込みの間に同じ名前のファイルが reports フォルダに置かれました" in outcome.findings[-1].message
    assert folder_state(reports_dir) == {**before, "r3.txt": hashlib.sha256(theirs).hexdigest()}  # r2.txt taken out
    # The store is built again from the folder as it is; a file there that does not build is said, not raised.
    assert store.freshness(db, reports_dir, None).stale is (placed == "a broken file")
    assert any(f.file == "r3.txt" and f.severity == "error" for f in outcome.findings[:-1]) is (placed == "a broken file")


def test_add_rolls_back_the_folder_when_the_build_fails_unexpectedly(reports_dir, tmp_path, seed_text, monkeypatch):
    db = tmp_path / "s.duckdb"
    store.build(reports_dir, db)
    before_folder, before_db = folder_state(reports_dir), digest(db)

    def broken_build(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(store, "build", broken_build)
    with pytest.raises(OSError):
        imports.add_sources([("tomakomai_R2.txt", derive(seed_text, 2020).encode())], reports_dir, db, actor=CLI)
    assert folder_state(reports_dir) == before_folder
    assert digest(db) == before_db


# -- the flat import template -----------------------------------------------------------------------------

TEMPLATE_HEADER = "municipality,policy_no,policy_name,measure_id,indicator,unit,fiscal_year,value,report_year"
TEMPLATE_ROW = "苫小牧市,3,男女平等参画の推進,1110321,女性人材バンク登録者数,人,2019,68,2019"


@pytest.mark.parametrize(
    "row, fragments",
    [
        ("苫小牧市,inf,男女平等参画の推進,1110321,女性人材バンク登録者数,人,2019,68,2019", ["policy_no 'inf' は整数ではありません", "運営方針の番号が必要です"]),
        ("苫小牧市,3,男女平等参画の推進,1110321,女性人材バンク登録者数,人,2019,68,nan", ["report_year 'nan'", "2019、R1年度 のような年度か空欄が必要です"]),
        ("苫小牧市,3,男女平等参画の推進,1110321,女性人材バンク登録者数,人,1e400,68,2019", ["年度 '1e400'", "2019、R1年度、H30年度 のような年度が必要です"]),
        ("苫小牧市,3,男女平等参画の推進,1110321,女性人材バンク登録者数,人,2019,六十八,2019", ["value '六十八' は数値ではありません", "1,365、-、欠測 または空欄が必要です"]),
        ("苫小牧市,3,男女平等参画の推進,11103/21,女性人材バンク登録者数,人,2019,68,2019", ["measure_id '11103/21'", "32 文字までのコード"]),
        (",3,男女平等参画の推進,1110321,女性人材バンク登録者数,人,2019,68,2019", ["municipality が空です", "値が必要です"]),
    ],
    ids=["inf", "nan-year", "huge-year", "not-a-number", "bad-code", "no-municipality"],
)
def test_template_rows_with_bad_cells(row, fragments):
    data = "\n".join([TEMPLATE_HEADER, TEMPLATE_ROW, row]).encode()
    found = findings(data, "flat.csv")
    one(found, 3, "error", *fragments)  # row 3: the header is row 1, as a spreadsheet counts


def test_template_without_its_columns():
    one(findings("名前,値\nx,1\n".encode(), "flat.csv"), 1, "error", "テンプレートの列", "municipality", "がありません")


def test_template_with_a_value_twice():
    data = "\n".join([TEMPLATE_HEADER, TEMPLATE_ROW, TEMPLATE_ROW]).encode()
    one(findings(data, "flat.csv"), 3, "error", "'女性人材バンク登録者数' の R1年度 が 苫小牧市 で2回あります", "指標と年度ごとに1行が必要です")


# -- layout variants that still read -----------------------------------------------------------------------

def test_policy_name_in_the_next_cell_and_a_note_without_its_tab(seed_text, seed_report):
    lines = seed_text.split("\n")
    assert lines[2] == "運営方針01 地域活動の促進" and lines[214].startswith("\t※")
    lines[2] = "運営方針01\t地域活動の促進"
    lines[214] = lines[214][1:]
    report = parse_bytes("\n".join(lines).encode(), "variant.txt")
    assert report.findings == []
    assert shape(report) == shape(seed_report)

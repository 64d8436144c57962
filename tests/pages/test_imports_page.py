"""取込 page: upload, findings, preview, confirm, remove — and every refusal leaves the store as it was."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from evaldash import store
from evaldash.ui import PAGE_FILES

from .conftest import ENTRY, ROOT, texts

SEED = (ROOT / "data" / "reports" / "tomakomai_R1.txt").read_text(encoding="utf-8")


def next_year_report() -> bytes:
    """The R2 report as the city would publish it: same layout, one more year, one value revised."""
    text = SEED.replace("具体的な取組 (R1年度)", "具体的な取組 (R2年度)")
    text = text.replace("\t女性人材バンク登録者数\t人\t47\t68\t\t\t", "\t女性人材バンク登録者数\t人\t47\t68\t75\t\t")
    text = text.replace("\t原爆パネル展来場者数\t人\t350\t740\t\t\t", "\t原爆パネル展来場者数\t人\t350\t745\t512\t\t")
    assert text.count("\t75\t") == 1 and "\t745\t" in text
    return text.encode("utf-8")


OTHER_CITY_CSV = (
    "municipality,policy_no,policy_name,measure_id,indicator,unit,fiscal_year,value\n"
    "大船渡市,1,協働のまちづくり,2010101,女性人材バンク登録者数,人,2018,30\n"
    "大船渡市,1,協働のまちづくり,2010101,女性人材バンク登録者数,人,2019,41\n"
    "大船渡市,1,協働のまちづくり,2010101,女性人材バンク登録者数,人,2020,44\n"
).encode("utf-8")


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    reports = tmp_path / "reports"
    shutil.copytree(ROOT / "data" / "reports", reports)
    db = tmp_path / "evaldash.duckdb"
    store.build(reports, db)
    monkeypatch.setenv("EVALDASH_REPORTS", str(reports))
    monkeypatch.setenv("EVALDASH_DB", str(db))
    return reports, db


def snapshot(reports: Path, db: Path) -> dict:
    files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(reports.iterdir())}
    return {"files": files, "store": hashlib.sha256(db.read_bytes()).hexdigest()}


def import_page(**params) -> AppTest:
    at = AppTest.from_file(ENTRY, default_timeout=90)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(PAGE_FILES["import"]).run()
    assert not at.exception
    return at


def upload(at: AppTest, name: str, data: bytes, mime: str = "text/plain") -> AppTest:
    at.file_uploader[0].upload(name, data, mime).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_preview_then_confirm_then_remove(isolated):
    reports, db = isolated
    before = snapshot(reports, db)
    at = upload(import_page(), "tomakomai_R2.txt", next_year_report())
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"新しい施策": "0", "新しい年度": "1", "追加される値": "2", "修正される値": "1"}
    revised = at.dataframe[0].value
    assert revised.iloc[0]["indicator"] == "原爆パネル展来場者数"
    assert (revised.iloc[0]["old_value"], revised.iloc[0]["new_value"]) == (740, 745)
    assert snapshot(reports, db) == before, "a preview writes nothing"

    at.button(key="confirm_import").click().run()
    assert not at.exception
    assert any("取り込みました: tomakomai_R2.txt" in s.value.replace("\\", "") for s in at.success)
    assert (reports / "tomakomai_R2.txt").read_bytes() == next_year_report()
    assert (reports / "tomakomai_R1.txt").read_text(encoding="utf-8") == SEED, "the old report is untouched"

    trends = AppTest.from_file(ENTRY, default_timeout=60)
    trends.query_params["q"] = "女性人材バンク"
    trends.run()
    trends.switch_page(PAGE_FILES["trends"]).run()
    assert "女性人材バンク登録者数は、R1年度の68人からR2年度の75人へ7人増加" in texts(trends).replace("\\", "")

    at = import_page()
    at.selectbox(key="remove_name").set_value("tomakomai_R2.txt")
    form_button = next(b for b in at.button if b.proto.label == "取り除く")
    form_button.click().run()
    assert not at.exception
    assert not (reports / "tomakomai_R2.txt").exists()
    kept = list((reports.parent / "removed").glob("*_tomakomai_R2.txt"))
    assert len(kept) == 1 and kept[0].read_bytes() == next_year_report(), "a removed source is kept, not lost"
    con = store.connect_readonly(db)
    try:
        assert con.execute("SELECT count(*) FROM reports").fetchone()[0] == 1
    finally:
        con.close()


@pytest.mark.parametrize(
    "name,data",
    [
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))),
        ("empty.txt", b""),
        ("sjis_broken.txt", "運営方針".encode("utf-8")[:-1] + b"\xff\xfe\xfa"),
        ("report.txt", "これは施策評価表ではありません\n別の市の書式です\n".encode("utf-8")),
        ("bad.csv", b"municipality,value\nX,1\n"),
    ],
)
def test_refusals_leave_the_store_byte_identical(isolated, name, data):
    reports, db = isolated
    before = snapshot(reports, db)
    at = upload(import_page(), name, data)
    assert at.error, "a refusal is shown"
    assert not [b for b in at.button if b.proto.label == "確定して取り込む"], "no confirm button for a refused file"
    assert snapshot(reports, db) == before


def test_a_second_city_appears_beside_the_first(isolated):
    reports, db = isolated
    at = upload(import_page(), "ofunato.csv", OTHER_CITY_CSV, "text/csv")
    assert {m.label: m.value for m in at.metric}["新しい施策"] == "1"
    at.button(key="confirm_import").click().run()
    assert not at.exception
    listed = next(d.value for d in at.dataframe if "source_kind" in d.value.columns)  # each file's kind in words
    assert dict(zip(listed["source_file"], listed["source_kind"])) == {
        "ofunato.csv": "テンプレート（CSV・Excel）", "tomakomai_R1.txt": "報告書（テキスト）"}

    # Both cities in the sidebar; the trends page compares the same indicator by name.
    trends = AppTest.from_file(ENTRY, default_timeout=60)
    trends.query_params["q"] = "女性人材バンク"
    trends.run()
    trends.switch_page(PAGE_FILES["trends"]).run()
    assert trends.multiselect(key="f_muni").options == ["大船渡市", "苫小牧市"]
    assert trends.multiselect(key="tr_ind").options == ["女性人材バンク登録者数（人）"]
    body = texts(trends).replace("\\", "")
    assert "女性人材バンク登録者数は、R1年度の41人からR2年度の44人へ3人増加" in body and "H30年度の47人からR1年度の68人" in body

    only = AppTest.from_file(ENTRY, default_timeout=60)
    only.query_params["muni"] = "大船渡市"
    only.run()
    only.switch_page(PAGE_FILES["changes"]).run()
    assert set(only.dataframe[0].value["municipality"]) == {"大船渡市"}

    # Both cities: their rows compare different years (H30→R1, R1→R2), so each row names its years.
    both = AppTest.from_file(ENTRY, default_timeout=60)
    both.run()
    both.switch_page(PAGE_FILES["changes"]).run()
    grid = both.dataframe[0].proto
    shown = grid.column_order or both.dataframe[0].value.columns
    labels = [json.loads(grid.columns).get(c, {}).get("label", c) for c in shown]
    assert labels[0] == "自治体" and {"前年度値", "最新値", "前年度", "最新年度"} <= set(labels)


def test_one_city_shows_nothing_about_cities(isolated):
    at = import_page()
    assert "f_muni" not in [w.key for w in at.sidebar.multiselect]

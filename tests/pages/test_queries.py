"""Every named query runs against the test store with bound parameters and is used somewhere."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from evaldash import sql, store

ROOT = Path(__file__).resolve().parents[2]
PARAMS = {"policy_no": 3, "ids": [], "names": [], "measures": [], "indicators": [], "min_abs_pct": 0.0, "measure_id": "1110421", "municipality": "苫小牧市"}


@pytest.fixture(scope="module")
def con(built_store):
    _, db = built_store
    c = store.connect_readonly(db)
    yield c
    c.close()


@pytest.mark.parametrize("name", sql.names())
def test_query_runs(con, name):
    frame = sql.run(con, name, PARAMS)
    assert frame is not None and list(frame.columns)


@pytest.mark.parametrize("name", sql.names())
def test_query_is_used_by_a_page_or_export(name):
    users = [p for p in [*ROOT.glob("pages/*.py"), *ROOT.glob("evaldash/**/*.py")] if p.name != "sql.py"]
    pattern = re.compile(rf"""["']{re.escape(name)}["']""")
    assert any(pattern.search(p.read_text(encoding="utf-8")) for p in users), f"queries/{name}.sql is unused"


@pytest.mark.parametrize("name", sql.names())
def test_query_has_a_comment_and_no_pasted_values(name):
    text = (ROOT / "queries" / f"{name}.sql").read_text(encoding="utf-8")
    assert text.startswith("--"), "each query file starts with a comment saying what it is"
    assert "{" not in text.replace("{order}", ""), "no Python formatting in SQL: bind values"


def test_filters_narrow_results(con):
    everything = sql.run(con, "flat", {})
    welfare = sql.run(con, "flat", {"dept": ["福祉部"]})
    assert len(everything) == 50
    assert set(welfare["measure_id"]) == {"1110421"}
    section = sql.run(con, "flat", {"sec": ["総合福祉課"]})
    assert set(section["measure_id"]) == {"1110421"}
    reflection_b = sql.run(con, "measure_list", {"refl": ["B"]})
    assert len(reflection_b) == 7


def test_search_matches_indicator_names_and_measure_texts(con):
    by_indicator = sql.run(con, "indicator_options", {"q": "女性人材バンク"})
    assert by_indicator["indicator"].tolist() == ["女性人材バンク登録者数"]
    by_purpose = sql.run(con, "indicator_options", {"q": "非核三原則"})  # only in 1110422's purpose
    assert by_purpose["indicator"].tolist() == ["要請回数"]


def test_indicators_by_name_follow_the_filter_and_count_past_their_limit(con):
    names = sql.run(con, "indicator_names", {"dept": ["福祉部"]})
    expected = sql.run(con, "indicator_options", {"dept": ["福祉部"]})
    assert names["indicator"].tolist() == list(dict.fromkeys(expected["indicator"]))
    chosen = names["indicator"].tolist()[:3]
    found = sql.run(con, "indicators_by_name", {"dept": ["福祉部"], "names": chosen, "limit": 2})
    assert found["indicator_id"].tolist() == expected.loc[expected["indicator"].isin(chosen), "indicator_id"].tolist()[:2]
    assert set(found["total"]) == {int(expected["indicator"].isin(chosen).sum())}
    assert sql.run(con, "indicators_by_name", {"names": chosen, "q": "該当なしの語"}).empty


def test_hostile_values_are_data_not_sql(con):
    hostile = "'; DROP TABLE measures; --"
    assert sql.run(con, "flat", {"q": hostile}).empty
    assert sql.run(con, "flat", {"dept": [hostile], "sec": [hostile]}).empty
    assert len(sql.run(con, "measure_list", {})) == 15


def test_order_comes_from_the_allow_list_only(con):
    ranked = sql.run(con, "changes", {"min_abs_pct": 0.0}, order="delta_pct", descending=True)
    assert ranked.iloc[0]["indicator"] == "女性のエンパワーメント講座"
    with pytest.raises(sql.QueryError):
        sql.run(con, "changes", {"min_abs_pct": 0.0}, order="delta_pct; DROP TABLE measures")
    with pytest.raises(sql.QueryError):
        sql.run(con, "flat", {}, order="value")  # flat declares no sort columns


def test_dashboard_connection_cannot_read_files(con, tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text("a\n1\n")
    with pytest.raises(Exception, match="(?i)external|disabled|permission"):
        con.execute("SELECT * FROM read_csv($p)", {"p": str(secret)}).fetchall()


def test_wide_table_holds_the_flat_values(con):
    flat = sql.run(con, "flat", {})
    wide = sql.run(con, "indicator_wide", {})
    labels = list(wide["year_labels"].iloc[0])
    assert labels == list(flat.drop_duplicates("fiscal_year").sort_values("fiscal_year")["fiscal_label"])
    assert list(wide["indicator_id"]) == list(dict.fromkeys(flat["indicator_id"]))  # the flat table's order
    from_flat = {(r.indicator_id, r.fiscal_label): r.value for r in flat.itertuples()}
    for r in wide.itertuples():
        for label, value in zip(labels, r.year_values):
            expected = from_flat.get((r.indicator_id, label))
            assert value != value if expected is None or expected != expected else value == expected  # NaN if none
        assert list(r.trend) == [v for v in r.year_values if v == v]


def plain(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts with every missing value None: a column of NULLs comes back as None or NaN by its rows."""
    return [{k: None if not isinstance(v, list) and pd.isna(v) else v for k, v in r.items()}
            for r in frame.to_dict("records")]


def test_row_cap_keeps_the_first_rows_in_order(con):
    everything = sql.run(con, "flat", {})
    for cap in (1, 7, 30):
        assert plain(sql.run(con, "flat", {"limit": cap})) == plain(everything.head(cap))
    assert len(sql.run(con, "indicator_wide", {"limit": 3})) == 3


def test_changes_takes_a_cap_and_a_list_of_indicators(con):
    everything = sql.run(con, "changes", {"min_abs_pct": 0.0}, order="delta_pct", descending=True)
    capped = sql.run(con, "changes", {"min_abs_pct": 0.0, "limit": 5}, order="delta_pct", descending=True)
    assert plain(capped) == plain(everything.head(5))
    two = everything["indicator_id"].iloc[[3, 7]].tolist()
    only = sql.run(con, "changes", {"min_abs_pct": 0.0, "indicators": two}, order="delta_pct", descending=True)
    assert only["indicator_id"].tolist() == two


def test_measure_list_takes_a_cap(con):
    assert plain(sql.run(con, "measure_list", {"limit": 4})) == plain(sql.run(con, "measure_list", {}).head(4))


def test_template_example_is_the_first_rows_of_the_flat_table(con):
    example = sql.run(con, "template_example")
    assert len(example) == 4 and list(example.columns) == list(sql.run(con, "flat", {"limit": 1}).columns)
    assert plain(example) == plain(sql.run(con, "flat", {}).head(4))


def test_department_and_section_must_be_one_pair_of_the_measure(con):
    # 1110421 is run by 総合政策部 政策推進課 and 福祉部 総合福祉課.
    assert "1110421" in set(sql.run(con, "measure_list", {"dept": ["福祉部"], "sec": ["総合福祉課"]})["measure_id"])
    assert "1110421" in set(sql.run(con, "measure_list", {"dept": ["総合政策部"], "sec": ["政策推進課"]})["measure_id"])
    # A 部 of one pair with the 課 of the other is not a pair it has.
    assert "1110421" not in set(sql.run(con, "measure_list", {"dept": ["福祉部"], "sec": ["政策推進課"]})["measure_id"])
    assert set(sql.run(con, "measure_list", {"sec": ["政策推進課"]})["measure_id"]) >= {"1110421"}

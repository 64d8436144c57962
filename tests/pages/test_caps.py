"""Pages on a store of many cities with no filter: they show a bounded part and say so (a national store has
1,700 cities, 170,000 measures and 510,000 indicators; drawing them all took seconds a rerun)."""

from __future__ import annotations

import re
import sys

import pytest
from streamlit.testing.v1 import AppTest

from evaldash import sql, store
from evaldash.ui import PAGE_FILES
from tests.pages.conftest import ENTRY, ROOT

sys.path.insert(0, str(ROOT / "bench"))
import generate as gen  # noqa: E402

CITIES = 36  # 36 × 100 indicators: about 2,100 measures and 3,600 indicators, past every page's cap


@pytest.fixture(scope="module")
def many_cities(tmp_path_factory):
    base = tmp_path_factory.mktemp("many")
    gen.write_corpus(gen.CorpusSpec("caps", munis=CITIES, years=[2020], indicators=100, seed=5), base / "reports")
    store.build(base / "reports", base / "evaldash.duckdb")
    return base / "reports", base / "evaldash.duckdb"


@pytest.fixture
def page(many_cities, monkeypatch):
    reports, db = many_cities
    monkeypatch.setenv("EVALDASH_REPORTS", str(reports))
    monkeypatch.setenv("EVALDASH_DB", str(db))

    def run(name: str, **params) -> AppTest:
        at = AppTest.from_file(ENTRY, default_timeout=120)
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
        at.switch_page(PAGE_FILES[name]).run()
        assert not at.exception and not at.error, [e.message for e in at.exception] + [e.value for e in at.error]
        return at

    return run


def test_overview_shows_ten_cities_situation_and_says_how_many(page, many_cities):
    import json

    at = page("overview")
    # Every city has its own 運営方針: the chart counts them as the headline does, and names each bar's city.
    policies = {m.label: m.value for m in at.metric}["運営方針"]
    assert any(f"{int(policies):,} の運営方針のうち先頭 30 件" in c.value for c in at.caption)
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    con = store.connect_readonly(many_cities[1])
    try:
        counts = sql.run(con, "reflection_by_policy", {})
    finally:
        con.close()
    first = sorted(set(zip(counts["municipality"], counts["policy_no"], counts["policy_name"])))[:30]
    assert spec["layout"]["yaxis"]["categoryarray"] == [f"{c} {n:02d} {name}" for c, n, name in first]
    assert any(f"{CITIES} 自治体のうち先頭 10 件" in c.value for c in at.caption)
    sources = [c.value for c in at.caption if re.match(r"出典: m\d{4}_", c.value.replace("\\", ""))]
    assert len(sources) == 10
    # The detail of 運営方針 01 names each city's own 01, as the store has it.
    con = store.connect_readonly(many_cities[1])
    try:
        own = sql.run(con, "policy_detail", {"policy_no": 1})
    finally:
        con.close()
    heads = [m.value.replace("\\", "") for m in at.markdown if "運営方針01" in m.value.replace("\\", "")]
    assert heads[:10] == [f"**{r.municipality}　運営方針01 {r.policy_name}**" for r in own.head(10).itertuples()]
    assert len(set(own["policy_name"])) > 1  # the store gives them other names: one label could not be right


def test_changes_table_stops_at_its_cap_and_says_so(page, many_cities):
    at = page("changes")
    assert len(at.dataframe[0].value) == 1_000
    assert any("先頭 1,000 件" in w.value for w in at.warning)
    # The rows are the first of the order asked, not any thousand.
    con = store.connect_readonly(many_cities[1])
    try:
        everything = sql.run(con, "changes", {"min_abs_pct": 0.0}, order="abs_delta_pct", descending=True)
    finally:
        con.close()
    assert len(everything) > 1_000
    assert list(at.dataframe[0].value["indicator"]) == list(everything["indicator"].head(1_000))
    # The sentences for council material name each row's city (the sentence itself does not).
    lines = at.code[0].value.splitlines()
    assert lines == [f"{r.municipality}：{r.summary}" for r in everything.head(1_000).itertuples()]
    # The chart of rates ranks the 20 highest and 20 lowest of the table's rows, each bar named with its city.
    import json

    ranked = everything.head(1_000)["delta_pct"].notna().sum()
    assert any(f"表の {ranked:,} 件のうち、増減率の高い 20 件と低い 20 件" in c.value for c in at.caption)
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    bars = spec["layout"]["yaxis"]["categoryarray"]
    cities = set(everything["municipality"])
    assert len(bars) == 40 and all(re.search(r"（(.+?)）", b).group(1) in cities for b in bars), bars[:3]


def test_card_picker_stops_at_its_cap_and_a_link_still_opens_a_measure_past_it(page, many_cities):
    at = page("card")
    assert len(at.selectbox(key="card_key").options) == 2_000
    assert any("先頭 2,000 件" in c.value for c in at.caption)
    con = store.connect_readonly(many_cities[1])
    try:
        last = sql.run(con, "measure_list", {}).iloc[-1]
    finally:
        con.close()
    linked = page("card", measure=last["measure_id"], m=last["municipality"])
    assert linked.selectbox(key="card_key").value == f"{last['municipality']}|{last['measure_id']}"
    assert any(last["measure_id"] in m.value for m in linked.markdown)



def _indicators(db):
    con = store.connect_readonly(db)
    try:
        return sql.run(con, "indicator_options", {})
    finally:
        con.close()


def test_trends_offers_each_name_once_in_the_order_of_its_first_indicator(page, many_cities):
    every = _indicators(many_cities[1]).drop_duplicates("indicator")
    at = page("trends")
    assert at.multiselect(key="tr_ind").options == [f"{r.indicator}（{r.unit}）" for r in every.itertuples()]


def test_trends_draws_at_most_sixty_series_and_says_how_many_there_are(page, many_cities):
    import json

    at = page("trends")
    picker = at.multiselect(key="tr_ind")
    picker.set_value(picker.options[:70]).run()  # 70 names, each one city's or more: past the cap
    assert not at.exception
    every = _indicators(many_cities[1])
    names = list(dict.fromkeys(every["indicator"]))[:70]
    total = int(every["indicator"].isin(names).sum())
    assert total > 60
    assert any(f"選んだ指標は {total:,} 系列あります。先頭 60 系列" in c.value for c in at.caption)
    unpicked = page("trends")  # the first names of the filter: the caption counts their lines too
    first8 = int(every["indicator"].isin(list(dict.fromkeys(every["indicator"]))[:8]).sum())
    assert any(f"先頭 8 件（{min(first8, 60)} 系列）" in c.value for c in unpicked.caption)
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    lines = [t for t in spec["data"] if t.get("type") == "scatter" and "lines" in t.get("mode", "")]
    assert 0 < len(lines) <= 60


def test_the_sidebar_names_each_filter_field_as_a_removal_names_it(page):
    from evaldash.filters import FIELD_LABELS

    at = page("overview")
    widgets = {"q": at.text_input(key="f_q"), "refl": at.pills(key="f_refl")}
    widgets.update({field: at.multiselect(key=f"f_{field}") for field in ("muni", "pol", "dept", "sec")})
    assert {field: widget.label for field, widget in widgets.items()} == FIELD_LABELS

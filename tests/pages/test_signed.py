"""変化 and 推移 show every change signed, and the chart says what it leaves out (issue 17 §1)."""

from __future__ import annotations

import json

from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

from evaldash.summary import MINUS
from evaldash.ui import PAGE_FILES

from .conftest import texts


def shown(at, column: str) -> list[str]:
    """The text the 変化 table shows in a column (the styler's), beside the numbers it sorts by."""
    frame = at.dataframe[0].value
    display = convert_arrow_bytes_to_pandas_df(at.dataframe[0].proto.arrow_data.styler.display_values)
    return display.iloc[:, list(frame.columns).index(column)].tolist()


def test_changes_table_signs_every_change_and_keeps_the_numbers(open_page):
    at = open_page(PAGE_FILES["changes"])
    frame = at.dataframe[0].value
    assert frame["delta"].dtype.kind == "f" and frame["delta_pct"].dtype.kind == "f"  # still numbers: they sort
    deltas, rates = shown(at, "delta"), shown(at, "delta_pct")
    row = frame.index[frame["indicator"] == "女性人材バンク登録者数"][0]
    position = list(frame.index).index(row)
    assert deltas[position] == "+21" and rates[position] == "+44.7%"
    fall = list(frame["indicator"]).index("市民自治のまちづくり出前講座")
    assert rates[fall] == f"{MINUS}75.0%"
    for number, text in zip(frame["delta"], deltas):
        if number == 0:
            assert text == "±0"
        elif number == number:  # not NaN
            assert text[0] == ("+" if number > 0 else MINUS)
    assert not any(t.startswith("+0.0") for t in rates)


def test_changes_table_leaves_no_format_that_would_hide_the_sign(open_page):
    at = open_page(PAGE_FILES["changes"])
    config = json.loads(at.dataframe[0].proto.columns)
    for column in ("delta", "delta_pct"):
        options = next(c for k, c in config.items() if k.endswith(column))
        assert not (options.get("type_config") or {}).get("format")


def test_changes_assessment_is_worded_as_a_missing_direction_and_says_where_it_is_set(open_page):
    at = open_page(PAGE_FILES["changes"])
    assert "評価なし" not in set(at.dataframe[0].value["評価"])
    assert "方向の設定なし" in set(at.dataframe[0].value["評価"])
    config = json.loads(at.dataframe[0].proto.columns)
    help_text = next(c for k, c in config.items() if k.endswith("評価")).get("help", "")
    assert "data/indicator_meta.csv" in help_text


def test_changes_sentences_run_from_the_largest_change(open_page):
    at = open_page(PAGE_FILES["changes"], sort="measure")
    lines = at.code[0].value.splitlines()
    frame = at.dataframe[0].value
    rate = dict(zip(frame["indicator"], frame["delta_pct"].abs()))
    sizes = [max((r for name, r in rate.items() if line.startswith(f"{name}は")), default=-1) for line in lines]
    sizes = [-1 if s != s else s for s in sizes]
    assert sizes == sorted(sizes, reverse=True)
    largest = frame.loc[frame["delta_pct"].abs().idxmax(), "indicator"]
    assert lines[0].startswith(f"{largest}は、H30年度の")


def test_changes_lists_what_the_chart_leaves_out_and_why(open_page):
    at = open_page(PAGE_FILES["changes"])
    frame = at.dataframe[0].value
    missing = frame.loc[frame["delta_pct"].isna(), "indicator"].tolist()
    assert missing  # the bundled report has indicators with one year of values
    body = texts(at)
    assert f"グラフに載せていない指標（{len(missing)} 件）" in body
    assert f"{missing[0]}（施策 " in body.replace("\\", "")


def test_trends_in_rate_mode_signs_its_labels(open_page):
    at = open_page(PAGE_FILES["trends"], mode="pct_change", kind="bar")
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    shown = [h.split(": ")[1].split("<br>")[0] for trace in chart["data"] if trace.get("name") != "値なし"
             for h in trace.get("hovertext") or []]
    rates = [t for t in shown if t.endswith("%")]
    assert rates and all(t[0] in ("+", MINUS, "±") for t in rates) and "+0.0%" not in rates
    assert any(a.get("text", "").startswith("増減率") for a in chart["layout"]["annotations"])
    for key, axis in chart["layout"].items():  # bars of a rate start at zero
        if key.startswith("yaxis") and axis.get("visible") is not False and "range" in axis:
            assert axis["range"][0] <= 0 <= axis["range"][1]


def test_changes_styler_renders_only_the_signed_columns(open_page):
    # Streamlit renders every cell a styler renders on every rerun: the others keep their own values as text, and
    # their order on screen comes from column_order.
    at = open_page(PAGE_FILES["changes"])
    frame = at.dataframe[0].value
    assert list(frame.columns[:2]) == ["delta", "delta_pct"]
    assert [str(t) for t in shown(at, "prev_value")] == [str(v) for v in frame["prev_value"]]
    assert list(at.dataframe[0].proto.column_order)[:4] == ["policy_no", "measure_id", "indicator", "unit"]

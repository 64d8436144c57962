"""推移: values by fiscal year for chosen indicators, as small multiples per unit; presentation mode."""

import streamlit as st

from evaldash import charts, shaping, ui
from evaldash.export.deck import build_deck
from evaldash.ui.sidebar import download_name, source_caption
from evaldash.ui import presentation

AUTO_LIMIT = 8
KINDS = {"line": "折れ線", "bar": "棒"}
ERAS = {"wareki": "和暦", "seireki": "西暦"}
# Lines a chart draws and changes the page lists at most: by name, 8 indicators of 1,700 cities are 13,600 of each.
SERIES_CAP = 60
f = ui.filters()
presenting = ui.presenting()
if not presenting:
    ui.page_header("推移")

# With several cities, an indicator is chosen by name so the same indicator is compared across them: the picker
# needs the names only (a national store has 510,000 indicators of 1,920 names).
by_name = f.several_munis
label_of = ui.shaped(shaping.indicator_labels, "indicator_names" if by_name else "indicator_options", f.params(),
                     by_name)
if not label_of:
    ui.empty_view()
choices = list(label_of)

# In presentation mode the controls stay (so their state lives) but fold away into the slide's toolbar.
bar = presentation.toolbar() if presenting else None
controls = bar.settings if presenting else st.container()
with controls:
    chosen = st.multiselect(
        "指標", choices, key=ui.url.bind("tr_ind", choices, parse=lambda v: shaping.linked_indicator(v, choices)),
        format_func=lambda k: label_of.get(k, str(k)),
        placeholder=f"未選択のときは絞り込み中の指標を最大{AUTO_LIMIT}件表示します（入力して検索）",
    )
shown = chosen or choices[:AUTO_LIMIT]


def chart_options() -> tuple[str, str, str]:
    """表示, グラフ and 年度の表記: they change how the chart is drawn, never which data."""
    c1, c2, c3 = st.columns([7, 4, 4])  # 表示 has the longest labels
    mode = c1.segmented_control("表示", list(charts.MODES), key=ui.url.bind("tr_mode", list(charts.MODES)),
                                format_func=charts.MODES.get, required=True, wrap=True)
    kind = c2.segmented_control("グラフ", list(KINDS), key=ui.url.bind("tr_kind", list(KINDS)), required=True,
                                format_func=KINDS.get, wrap=True)
    era = c3.segmented_control("年度の表記", list(ERAS), key=ui.url.bind("tr_era", list(ERAS)), required=True,
                               format_func=ERAS.get, wrap=True)
    return mode, kind, era


if by_name:  # every city's indicator of each chosen name, up to SERIES_CAP of them
    found = ui.query("indicators_by_name", {**f.params(), "names": shown, "limit": SERIES_CAP})
    ids, total = found["indicator_id"].tolist(), int(found["total"].iloc[0]) if len(found) else 0
    if total > len(ids):
        st.caption(f"選んだ指標は {total:,} 系列あります。先頭 {len(ids)} 系列を表示しています。"
                   "左の「自治体」で比べる自治体を選んでください。")
else:
    wanted = set(shown)
    ids = [i for i in label_of if i in wanted]
series = ui.query("indicator_series", {"ids": ids})
if series.empty:
    ui.empty_notice("選んだ指標には年度ごとの値がありません")
    ui.stop()
target_rows = tuple(ui.shaped(shaping.rows, "indicator_targets", {"ids": ids}, "indicator_id", "unit", "target",
                              "target_year", "good_direction"))
# The changes of the charted indicators only: all of the filter's are 510,000 rows on a national store.
# Largest change first (|増減率|; those with none last), as every list of changes.
change_rows = ui.shaped(shaping.rows, "changes", {**f.params(), "min_abs_pct": 0.0, "indicators": ids},
                        "indicator_id", "summary", "measure_id", "initiative_name", "municipality", "note",
                        order="abs_delta_pct", descending=True)
summary_of = {r.indicator_id: r.summary for r in change_rows}


if presenting:
    with controls:
        options_chosen = chart_options()
    presentation.show(bar, ids, series, target_rows, summary_of, *options_chosen)
    ui.stop()

title = ui.shaped(shaping.series_title, "indicator_series", {"ids": ids})
source = source_caption()  # read here: a fragment may not run a query that writes outside it


# A chart option reruns this fragment only: the filter, the queries and the list of changes below stay as they are.
@st.fragment
def trend_chart() -> None:
    mode, kind, era = chart_options()
    if not chosen and len(choices) > AUTO_LIMIT:
        lines = f"（{len(ids)} 系列）" if by_name else ""  # by name, each city's indicator is a line
        st.caption(f"絞り込み中の指標 {len(choices)} 件のうち先頭 {AUTO_LIMIT} 件{lines}を表示しています。"
                   "指標を選ぶか、左の絞り込みを使ってください。")
    fig = ui.shaped(shaping.trend_chart, "indicator_series", {"ids": ids}, mode, kind, era, target_rows, source)
    st.plotly_chart(ui.narrow.fit(fig), config=ui.chart_config(f"推移_{title[:40]}"), key="trend_chart")
    ui.chart_table(fig, "年度")


trend_chart()
# The note above the two buttons, and the buttons in a row that wraps: beside the sidebar at 800 px, three columns
# cut the buttons' labels short.
st.caption("× は値がない年度です（マウスを重ねると理由を表示）。グラフ右上のカメラのボタンで画像として保存できます。")
buttons = st.container(horizontal=True)
buttons.download_button("PowerPoint", lambda: build_deck(ui.connection(), {**f.params(), "indicators": ids}),
                        file_name=download_name("推移"), icon=":material/slideshow:", on_click="ignore",
                        mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
                        help="選んだ指標を1枚ずつ、編集できるグラフで", width="stretch", key="dl_trends_pptx")
if buttons.button("発表モード", icon=":material/slideshow:", help="1画面に1つのグラフを大きく表示します（URL に残ります）",
                  width="stretch"):
    st.query_params["present"] = "1"
    st.rerun()
with buttons:  # at the end of a row, where its empty box adds no line of its own
    ui.narrow.watch()

st.header("この期間の変化")
st.caption("増減率の大きい順です。")
for r in change_rows:
    with st.container(border=True):
        st.markdown(ui.md_escape(r.summary))
        meta = f"施策 {r.measure_id} {r.initiative_name}" + (f"　|　{r.municipality}" if f.several_munis else "")
        if isinstance(r.note, str) and r.note:
            meta += f"　|　{r.note}"
        ui.caption(meta)
        ui.measure_link(r.measure_id, r.municipality)

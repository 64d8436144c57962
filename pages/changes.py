"""変化: previous vs latest fiscal year for every indicator, ranked, with sentences for council material."""

import pandas as pd
import streamlit as st

from evaldash import shaping, ui
from evaldash.export import HEADERS
from evaldash.export.deck import build_deck
from evaldash.export.views import changes_workbook
from evaldash.sql import ROW_LIMIT
from evaldash.ui.sidebar import download_name, source_caption

SORTS = {
    "abs_delta_pct": ("変化の大きい順", "abs_delta_pct", True),
    "up": ("増加率の高い順", "delta_pct", True),
    "down": ("減少率の高い順", "delta_pct", False),
    "measure": ("施策番号順", "measure_id", False),
}
# Rows the table, the chart and the sentences show at most; the Excel file has up to sql.ROW_LIMIT.
ROW_CAP = 1_000
# Slides the PowerPoint has at most (one an indicator, in the report's order): a national store has 510,000.
DECK_CAP = 100
# Indicators listed under the chart as left out at most.
LEFT_OUT_CAP = 50
ASSESSMENT_HELP = ("「改善」「悪化」は、良い方向（増えるほど良い／減るほど良い）が data/indicator_meta.csv で設定された指標だけに"
                   "付きます。「方向の設定なし」はその設定がない指標で、評価していないという意味ではありません。")
f = ui.filters()
ui.page_header("変化")

c1, c2 = st.columns([2, 3])
threshold = c1.number_input("変化率のしきい値（|増減率| ≥ %）", min_value=0, max_value=500, step=5,
                            key=ui.url.bind("ch_min"), help="この値以上に変化した指標だけを表示します。0 ですべて表示。")
sort = c2.segmented_control("並べ替え", list(SORTS), key=ui.url.bind("ch_sort", list(SORTS)),
                            format_func=lambda k: SORTS[k][0], required=True, wrap=True)

_, column, descending = SORTS[sort]
selection = {**f.params(), "min_abs_pct": float(threshold)}
view = ui.shaped(shaping.changes_view, "changes", {**selection, "limit": ROW_CAP}, f.several_munis, source_caption(),
                 order=column, descending=descending)
if not view.picks:
    ui.empty_view()
if len(view.picks) == ROW_CAP:
    st.warning(f"並べ替えの順に先頭 {ROW_CAP:,} 件を表示しています。しきい値や左の絞り込みで減らしてください。"
               f"Excel（変化の表）には {ROW_LIMIT:,} 件まで入ります。", icon=":material/filter_list:")


# On a narrow screen (a phone) the changes come right after 指標, the only pinned column there, narrower: the columns
# pinned on a wide screen would fill a phone's width and leave the numbers out of reach.
NARROW_ORDER = ["indicator", "delta", "delta_pct", "評価", "unit", "prev_value", "latest_value", "prev_label",
                "latest_label", "policy_no", "measure_id", "municipality"]


def table_columns(narrow: bool) -> dict:
    pin = not narrow
    return {
        "municipality": st.column_config.TextColumn("自治体", width=80, pinned=pin),
        # Widths in px so that the whole row fits the 906 px a 1366-px laptop leaves; the three columns that say
        # what a row is stay pinned when a narrower window scrolls the numbers sideways.
        "policy_no": st.column_config.NumberColumn("方針", format="%02d", width=48, pinned=pin, help="運営方針の番号"),
        "measure_id": st.column_config.TextColumn("施策番号", width=80, pinned=pin),
        # With several cities the 自治体 column takes 80 px of 指標's, so the row still fits.
        "indicator": st.column_config.TextColumn("指標", width=140 if narrow else 210 if f.several_munis else 290,
                                                 pinned=True),
        "unit": st.column_config.TextColumn("単位", width=48),
        "prev_label": st.column_config.TextColumn("前年度"),
        "prev_value": st.column_config.NumberColumn(view.prev_head, format="localized", width=72),
        "latest_label": st.column_config.TextColumn("最新年度"),
        "latest_value": st.column_config.NumberColumn(view.latest_head, format="localized", width=72),
        # No format here: the signed text comes from shaping.signed_changes, the number stays for sorting.
        "delta": st.column_config.NumberColumn("増減", width=64, help="最新値 − 前年度値（符号付き）"),
        "delta_pct": st.column_config.NumberColumn("増減率", width=76, help="前年度からの増減率（%、符号付き）"),
        "評価": st.column_config.TextColumn("評価", width=124, help=ASSESSMENT_HELP),  # 「方向の設定なし」 whole
    }


# Picking a row reruns this fragment only: the link to its card appears without the page being redrawn.
@st.fragment
def changes_table() -> None:
    narrow = ui.narrow.is_narrow()
    # Only the signed columns rendered by the styler (shaping.signed_changes); a page renders no other styler.
    with pd.option_context("styler.render.max_columns", len(shaping.SIGNED)):
        event = ui.dataframe(
            # The rows in the query's order (a picked row's position is its place in view.picks).
            shaping.signed_changes(view.table),
            column_config=table_columns(narrow),
            column_order=[c for c in NARROW_ORDER if c in view.table] if narrow else view.order,
            on_select="rerun",
            selection_mode="single-row",
            key="changes_table",
        )
    rows = event.selection.rows if event else []
    if rows:
        picked = view.picks[rows[0]]
        ui.measure_link(picked.measure_id, picked.municipality, label=f"「{picked.indicator}」の施策カードを開く")
    else:
        st.caption("行を選ぶと、その指標の施策カードへのリンクが出ます。見出しをクリックすると並べ替えられます。")


changes_table()

named = download_name("変化")
buttons = st.container(horizontal=True)  # a row that wraps: narrow columns cut the buttons' labels short
buttons.download_button("Excel（変化の表）",
                        lambda: changes_workbook(ui.connection(), {**selection, "limit": ROW_LIMIT}),
                        icon=":material/download:", help=f"表示中の指標を報告書の順に（{ROW_LIMIT:,} 件まで）",
                        file_name=named.removesuffix(".pptx") + ".xlsx", on_click="ignore", key="dl_changes_xlsx",
                        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
buttons.download_button("PowerPoint",
                        lambda: build_deck(ui.connection(), {**selection, "limit": DECK_CAP}, ranking=True),
                        icon=":material/slideshow:", file_name=named, on_click="ignore", key="dl_changes_pptx",
                        help=f"増減率の順位と、表示中の指標を1枚ずつ、編集できるグラフで（報告書の順に {DECK_CAP} 枚まで）",
                        mime="application/vnd.openxmlformats-officedocument.presentationml.presentation")
with buttons:  # at the end of a row, where its empty box adds no line of its own
    ui.narrow.watch()

st.header("増減率の順位")
st.caption("色は data/indicator_meta.csv で「増えるほど良い／減るほど良い」が決められた指標だけに付きます。"
           "ほかは灰色（方向の設定なし）です。")
if view.bars is None:
    st.caption("増減率を計算できる指標がありません。")
else:
    if view.ranked > 2 * shaping.RANK_EACH:
        st.caption(f"表の {view.ranked:,} 件のうち、増減率の高い {shaping.RANK_EACH} 件と低い {shaping.RANK_EACH} 件です。")
    st.plotly_chart(ui.narrow.fit(view.bars), config=ui.chart_config("増減率の順位"), key="change_bars")
    ui.chart_table(view.bars, "指標")
if view.left_out:
    shown_out = view.left_out[:LEFT_OUT_CAP]
    more = f"（ほか {len(view.left_out) - len(shown_out):,} 件）" if len(view.left_out) > len(shown_out) else ""
    st.markdown(f"**グラフに載せていない指標（{len(view.left_out):,} 件）**{more}")
    st.markdown("\n".join(f"- {ui.md_escape(name)}：{why}" for name, why in shown_out))

st.header("議会資料用の文章")
st.caption("増減率の大きい順です（増減率のない指標は最後）。右上のボタンでコピーできます。")
# Past about 25 lines the block scrolls in itself (1,000 sentences were 20,000 px of page); the copy button takes all.
st.code(view.summaries, language=None, wrap_lines=True, height=600 if len(view.picks) > 25 else "content")

# The headings of the two tables of differences between reports, each of which shows some of these columns.
REPORT_COLUMNS = {
    **HEADERS["ja"], "kind": "内容", "old": "変更前", "new": "変更後", "old_report": "修正前の報告書", "new_report": "修正後の報告書",
    "from_year": st.column_config.NumberColumn("前の報告書", format="%d年度"),
    "to_year": st.column_config.NumberColumn("新しい報告書", format="%d年度"),
    "old_value": st.column_config.NumberColumn("修正前", format="localized"),
    "new_value": st.column_config.NumberColumn("修正後", format="localized"),
}
revisions = ui.query("revisions", f.params())
report_changes = ui.shaped(shaping.report_change_table, "report_changes", f.params())
if len(revisions) or len(report_changes):
    st.header("報告書の年度間の違い")
    if len(report_changes):
        ui.dataframe(report_changes, column_config=REPORT_COLUMNS)
    if len(revisions):
        st.markdown("**新しい報告書で修正された値**")
        ui.dataframe(revisions, column_config=REPORT_COLUMNS)

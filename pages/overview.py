"""概要: headline numbers, measures by 反映区分 per 運営方針, and a policy's situation and goals."""

import streamlit as st

from evaldash import shaping, ui
from evaldash.filters import policy_label, short_policy_label
from evaldash.summary import fmt_share
from evaldash.ui.sidebar import source_caption

# Municipalities whose 現況と基本目標 are shown at most: a national store has 1,700 (11,000 paragraphs a rerun).
DETAIL_CAP = 10
# 運営方針 bars the chart draws at most (48 px each): every city has its own, 17,000 on a national store.
BAR_CAP = 30
f = ui.filters()
names = st.session_state["_policy_names"]
ui.page_header("概要")

counts = ui.shaped(shaping.first_row, "overview_counts", f.params())._asdict()
if counts["indicators"] == 0 and counts["measures"] == 0:
    ui.empty_view()

measures = int(counts["measures"])
# A grid, not columns: beside the sidebar at 800 px, five columns cut the labels short; the grid wraps instead.
metrics = st.grid(5, min_column_width=150)  # each metric goes into the grid's next cell
metrics.metric("運営方針", int(counts["policies"]), border=True, height="stretch")
metrics.metric("施策", measures, border=True, height="stretch")
metrics.metric("評価指標", int(counts["indicators"]), border=True, height="stretch")
for letter, meaning in (("a", "趣旨に沿って措置したもの"), ("b", "実現に向けて努力しているもの")):
    n = counts[f"reflection_{letter}"]
    metrics.metric(f"反映区分 {letter.upper()}", int(n), delta=f"施策の{fmt_share(n, measures)}", delta_color="off",
                   delta_arrow="off", border=True, height="stretch", help=meaning)
ROUNDING_NOTE = "割合は四捨五入しているため、合計が100%にならないことがあります。"
st.caption(f"反映区分 A・B の割合は施策数に対する割合です。{ROUNDING_NOTE}")

st.header("直近2年度の指標の動き")
comparable = int(counts["rose"] + counts["fell"] + counts["stayed"])
movement = st.grid(4, min_column_width=180)  # 「比較できる値なし」 and its help icon need the room
for label, key, arrow in (("上昇", "rose", "up"), ("下降", "fell", "down"), ("横ばい", "stayed", "off")):
    movement.metric(label, int(counts[key]), delta=fmt_share(counts[key], comparable), delta_arrow=arrow,
                    delta_color="off", border=True, height="stretch")
movement.metric("比較できる値なし", int(counts["not_comparable"]), border=True, height="stretch",
                help="2年度分の報告値がない指標（「-」や調査予定など）")
st.caption(f"上昇・下降・横ばいの割合は、比較できる指標に対する割合です。{ROUNDING_NOTE}")
ui.page_link("changes", "何が変わったかを見る（変化）", icon=":material/compare_arrows:")

st.header("運営方針ごとの施策数（反映区分別）")
bars, policies, policy_numbers = ui.shaped(shaping.policy_bars, "reflection_by_policy", f.params(), BAR_CAP,
                                           source_caption())
if policies > BAR_CAP:
    st.caption(f"{policies:,} の運営方針のうち先頭 {BAR_CAP} 件を表示しています。左の「自治体」で選ぶと、その運営方針がすべて出ます。")
st.plotly_chart(ui.narrow.fit(bars), config=ui.chart_config("運営方針別_反映区分"), key="reflection_by_policy")
ui.chart_table(bars, "運営方針")

st.header("運営方針の現況と基本目標")


# Choosing another 運営方針 reruns this fragment only, not the counts and the chart above.
@st.fragment
def policy_detail() -> None:
    chosen = st.selectbox("運営方針を選ぶ", policy_numbers, format_func=lambda p: short_policy_label(p, names.get(p)),
                          key="overview_policy")
    detail = ui.shaped(shaping.rows, "policy_detail", {"policy_no": int(chosen), "muni": f.muni}, "municipality",
                       "policy_no", "policy_name", "situation", "goals", "plans", "source_file", "source_line")
    if len(detail) > DETAIL_CAP:
        st.caption(f"{len(detail):,} 自治体のうち先頭 {DETAIL_CAP} 件を表示しています。ほかは左の「自治体」で選んでください。")
    for row in detail[:DETAIL_CAP]:
        with st.container(border=True):
            if f.several_munis:  # each city names its own 運営方針 of this number
                st.markdown(f"**{ui.md_escape(f'{row.municipality}　{policy_label(row.policy_no, row.policy_name)}')}**")
            for heading, paragraphs in (("現況と課題", row.situation), ("基本目標", row.goals)):
                st.markdown(f"**{heading}**")
                for para in paragraphs:
                    st.markdown(ui.md_escape(para))
            if len(row.plans):
                st.markdown("**関連する個別計画**")
                for plan in row.plans:
                    st.markdown("- " + ui.md_escape(plan))
            ui.caption(f"出典: {row.source_file} {row.source_line}行")


policy_detail()
ui.narrow.watch()  # last: its empty box adds no gap between the page's parts

"""施策カード: the whole 施策評価表 of one measure, readable, with its source."""

import pandas as pd
import streamlit as st

from evaldash import shaping, ui
from evaldash.export.printable import card_html
from evaldash.filters import policy_label

BADGE_COLORS = {"A": "blue", "B": "orange"}
# Measures the picker offers at most (a national store with no filter has 170,000).
PICK_CAP = 2_000
f = ui.filters()
st.title("施策カード")

listing = {**f.params(), "limit": PICK_CAP}
choices = ui.shaped(shaping.measure_choices, "measure_list", listing, f.several_munis)
wanted, wanted_muni = st.query_params.get("measure"), st.query_params.get("m")
if wanted and wanted not in {k.split("|", 1)[1] for k in choices}:
    # A shared link may name a measure that the current filter (or the cap) hides: open it anyway.
    measures = ui.query("measure_list", listing)
    found = ui.query("measure_card", {"measure_id": wanted, "muni": []})[list(measures.columns)]
    if found.empty:
        st.warning(ui.md_escape(f"施策 {wanted[:20]} は見つかりませんでした。一覧から選んでください。"),
                   icon=":material/search_off:")
    elif len(measures) < PICK_CAP:  # the list is whole: the measure is outside the filter, not past the cap
        st.info(ui.md_escape(f"施策 {wanted[:20]} は左の絞り込みに当てはまりませんが、指定された施策なので表示しています。"
                             "当てはまる施策は一覧から選べます。"), icon=":material/filter_alt_off:")
    choices = shaping.measure_choices(pd.concat([found, measures], ignore_index=True), f.several_munis)
if not choices:
    ui.empty_view("該当する施策がありません", unit="measures")
if len(choices) >= PICK_CAP:
    st.caption(f"施策番号の順に先頭 {PICK_CAP:,} 件から選べます。ほかの施策は左の絞り込みで探してください。")

keys = list(choices)
if "card_key" not in st.session_state or st.session_state.get("_card_url") != (wanted, wanted_muni):
    st.session_state["card_key"] = next((k for k in keys if k.split("|", 1)[1] == wanted
                                         and (not wanted_muni or k.split("|", 1)[0] == wanted_muni)), keys[0])
if st.session_state["card_key"] not in choices:
    st.session_state["card_key"] = keys[0]
key = st.selectbox("施策を選ぶ（施策番号や名前を入力して検索）", keys, key="card_key", format_func=choices.get)
municipality, measure_id = key.split("|", 1)
ui.url.write("measure", measure_id)
ui.url.write("m", municipality if f.several_munis else None)
st.session_state["_card_url"] = (measure_id, municipality if f.several_munis else wanted_muni)

card = ui.shaped(shaping.first_row, "measure_card", {"measure_id": measure_id, "muni": [municipality]})
params = {"measure_id": measure_id, "municipality": municipality}
st.download_button(
    "印刷用（A4）", lambda: card_html(ui.connection(), municipality, measure_id).encode("utf-8"),
    file_name=f"施策カード_{measure_id}.html", mime="text/html", icon=":material/print:", on_click="ignore",
    help="ブラウザで開いて印刷（A4）してください。PDF にも保存できます。", key="dl_print",
)

ui.caption(
    f"{municipality}　›　{policy_label(card.policy_no, card.policy_name)}　›　主な取組{card.initiative_no} {card.initiative_name}"
)
with st.container(border=True):
    head = st.container(horizontal=True, vertical_alignment="center")
    head.markdown(f"## 施策 {measure_id}")
    if card.reflection:
        head.badge(ui.badge_text(f"反映区分 {card.reflection}：{card.reflection_label or ''}"), color=BADGE_COLORS.get(card.reflection, "gray"))
    st.markdown(ui.md_escape(card.purpose))
    ui.caption(f"担当部・課：{card.departments}")

st.header(ui.md_escape(f"具体的な取組（{card.report_label}）"))
actions = ui.shaped(shaping.action_groups, "measure_actions", params)
if not actions:
    st.caption("記載がありません。")
for section, texts in actions:
    if section:
        st.markdown(f"**（{ui.md_escape(section)}）**")
    st.markdown("\n".join(f"- {ui.md_escape(t)}" for t in texts))

st.header("評価指標")
indicators = ui.shaped(shaping.rows, "measure_indicators", params, "indicator_id", "indicator", "unit", "summary",
                       "note", "source_file", "source_line")
ids = [ind.indicator_id for ind in indicators]
targets = tuple((r.indicator_id, float(r.target))
                for r in ui.shaped(shaping.rows, "indicator_targets", {"ids": ids}, "indicator_id", "target"))
panels = ui.shaped(shaping.indicator_panels, "indicator_series", {"ids": ids}, targets)
if not indicators:
    st.caption("評価指標の記載がありません。")
for ind in indicators:
    with st.container(border=True):
        st.markdown(f"**{ui.md_escape(ind.indicator)}**（{ui.md_escape(ind.unit)}）")
        left, right = st.columns([3, 2])
        figure, values, source = panels.get(ind.indicator_id, (None, None, f"出典: {ind.source_file} {ind.source_line}行"))
        with left:
            if figure:
                st.plotly_chart(figure, config=ui.chart_config(f"{measure_id}_{ind.indicator[:30]}"),
                                key=f"card_chart_{ind.indicator_id}")
                ui.chart_table(figure, "年度")
            else:
                st.caption("年度ごとの値がありません。")
        with right:
            if figure:
                ui.dataframe(values, column_config={"fiscal_label": "年度", "表示": "値"})
            st.markdown(ui.md_escape(ind.summary))
            if isinstance(ind.note, str) and ind.note:
                ui.caption(ind.note)
            ui.caption(source)

st.header("今後の取組の方向性")
directions = ui.shaped(shaping.rows, "measure_directions", params, "section", "text")
if not directions:
    st.caption("記載がありません。")
for row in directions:
    if isinstance(row.section, str) and row.section:
        st.markdown(f"**（{ui.md_escape(row.section)}）**")
    st.markdown(ui.md_escape(row.text))

st.divider()
ui.caption(f"出典: {municipality} 施策評価表 {card.report_label}（{card.source_file} {card.source_line}行〜）")

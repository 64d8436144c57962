"""推移: values by fiscal year for chosen indicators, as small multiples per unit."""

import streamlit as st

from evaldash import charts, ui

AUTO_LIMIT = 8
f = ui.filters()
st.title("推移")
st.caption(f"{f.describe(st.session_state['_policy_names'], st.session_state['_reflection_labels'])}　|　{ui.source_caption()}")

options = ui.query("indicator_options", f.params())
if options.empty:
    ui.empty_notice()
    st.stop()

# With several cities, an indicator is chosen by name so the same indicator is compared across them.
by_name = f.several_munis
key_col = "indicator" if by_name else "indicator_id"
choices = list(dict.fromkeys(options[key_col]))
label_of = {}
for r in options.itertuples():
    label_of.setdefault(getattr(r, key_col), f"[{r.policy_no:02d}] {r.indicator}（{r.unit}）" if not by_name
                        else f"{r.indicator}（{r.unit}）")

ui.seed_from_url("tr_ind", "ind", choices)
ui.keep_valid("tr_ind", choices)
chosen = st.multiselect(
    "指標", choices, key="tr_ind", format_func=lambda k: label_of.get(k, str(k)),
    placeholder=f"未選択のときは絞り込み中の指標を最大{AUTO_LIMIT}件表示します（入力して検索）",
)
shown = chosen or choices[:AUTO_LIMIT]
if not chosen and len(choices) > AUTO_LIMIT:
    st.caption(f"絞り込み中の指標 {len(choices)} 件のうち先頭 {AUTO_LIMIT} 件を表示しています。指標を選ぶか、左の絞り込みを使ってください。")

c1, c2, c3 = st.columns([3, 2, 2])
ui.seed_from_url("tr_mode", "mode", list(charts.MODES), multi=False, default="absolute")
mode = c1.segmented_control("表示", list(charts.MODES), key="tr_mode", format_func=charts.MODES.get, required=True)
ui.seed_from_url("tr_kind", "kind", ["line", "bar"], multi=False, default="line")
kind = c2.segmented_control("グラフ", ["line", "bar"], key="tr_kind", required=True,
                            format_func={"line": "折れ線", "bar": "棒"}.get)
ui.seed_from_url("tr_era", "era", ["wareki", "seireki"], multi=False, default="wareki")
era = c3.segmented_control("年度の表記", ["wareki", "seireki"], key="tr_era", required=True,
                           format_func={"wareki": "和暦", "seireki": "西暦"}.get)
ui.write_url({"ind": chosen, "mode": None if mode == "absolute" else mode, "kind": None if kind == "line" else kind,
              "era": None if era == "wareki" else era})

ids = options[options[key_col].isin(shown)]["indicator_id"].tolist()
series = ui.query("indicator_series", {"ids": ids})
if series.empty:
    ui.empty_notice("選んだ指標には年度ごとの値がありません")
    st.stop()
targets = ui.query("indicator_targets", {"ids": ids}).dropna(subset=["target"])
title = "、".join(dict.fromkeys(series["indicator"]))
fig = charts.trend_figure(series, mode=mode, kind=kind, era=era, targets=targets)
st.plotly_chart(fig, config=charts.image_config(f"推移_{title[:40]}"), key="trend_chart")
st.caption("× は値がない年度です（マウスを重ねると理由を表示）。グラフ右上のカメラのボタンで画像として保存できます。")

st.subheader("この期間の変化")
changes = ui.query("changes", {**f.params(), "min_abs_pct": 0.0})
changes = changes[changes["indicator_id"].isin(ids)]
for r in changes.itertuples():
    with st.container(border=True):
        st.markdown(ui.md_escape(r.summary))
        meta = f"施策 {r.measure_id}" + (f"　|　{r.municipality}" if f.several_munis else "")
        if isinstance(r.note, str) and r.note:
            meta += f"　|　{r.note}"
        st.caption(meta)
        ui.measure_link(r.measure_id, r.municipality if f.several_munis else None)

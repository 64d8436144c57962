"""データ: the filtered flat table, downloads as CSV (UTF-8 with BOM) and Excel, and the data dictionary."""

from datetime import date

import streamlit as st

from evaldash import shaping, ui
from evaldash.export import HEADERS, flat_csv_bytes
from evaldash.export.views import data_workbook
from evaldash.model import FLAT_COLUMNS, flat_dictionary
from evaldash.sql import ROW_LIMIT

f = ui.filters()
ui.page_header("データ")

asked = {**f.params(), "limit": ROW_LIMIT}
flat = ui.query("flat", asked)
municipalities, indicators, row_count = ui.shaped(shaping.flat_summary, "flat", asked)
if not row_count:
    ui.empty_view()
if row_count == ROW_LIMIT:
    st.warning(f"先頭 {ROW_LIMIT:,} 行を表示しています。絞り込むか、すべては `python -m evaldash export` で書き出してください。",
               icon=":material/info:")

stem = f"施策評価_{'_'.join(municipalities)}_{date.today():%Y%m%d}"
c1, c2, c3 = st.columns([1, 1, 3], vertical_alignment="center")
c1.download_button("CSV（Excel 用）", lambda: flat_csv_bytes(flat, bom=True, headers="ja"), file_name=f"{stem}.csv",
                   mime="text/csv", icon=":material/download:", on_click="ignore", key="dl_csv")
c2.download_button("Excel", lambda: data_workbook(ui.connection(), asked, headers="ja"),
                   file_name=f"{stem}.xlsx", icon=":material/download:", on_click="ignore", key="dl_xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
c3.caption(f"{indicators} 指標・{row_count} 行。CSV は BOM 付き UTF-8 で、Excel でそのまま開けます。")

ja = HEADERS["ja"]  # the flat table's Japanese names, which head the columns of both tables
tab_wide, tab_flat, tab_docs = st.tabs(["指標ごと（年度を列に）", "フラット（指標×年度）", "列の説明"])
with tab_wide:
    # Shaped by the query (one row per indicator, a value per fiscal year), laid out once (evaldash.shaping).
    wide, year_labels = ui.shaped(shaping.wide_table, "indicator_wide", asked, f.several_munis)
    year_cols = {lab: st.column_config.NumberColumn(lab, format="localized") for lab in year_labels}
    ui.dataframe(
        wide,
        column_config={
            **ja,
            "policy_no": st.column_config.NumberColumn("運営方針", format="%02d"),
            "indicator": st.column_config.TextColumn(ja["indicator"], width="large"),
            "unit": st.column_config.TextColumn(ja["unit"], width="small"),
            "reflection": st.column_config.TextColumn(ja["reflection"], width="small"),
            # Units differ from row to row, so one shared scale would flatten most lines: each is its own, said so.
            "trend": st.column_config.LineChartColumn(
                "推移（行ごとの目盛り）", width="small",
                help="各行の小さなグラフは、その指標の最小値から最大値までで描いています（行どうしの目盛りは共通ではありません）。"),
            **year_cols,
        },
    )
with tab_flat:
    # Headed in Japanese as the downloads are; the 取込 template reader takes them back.
    ui.dataframe(
        flat[FLAT_COLUMNS].rename(columns=ja),
        column_config={
            ja["value"]: st.column_config.NumberColumn(ja["value"], format="localized"),
            **{ja[c]: st.column_config.NumberColumn(ja[c], format="%d")
               for c in ("policy_no", "report_year", "fiscal_year", "source_line")},
        },
    )
with tab_docs:
    ui.dataframe(flat_dictionary())
    st.caption("コマンドラインからは `python -m evaldash export --headers ja` で同じ表を書き出せます（`--headers` を付けないと英語の列名）。")

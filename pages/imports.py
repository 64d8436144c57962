"""取込: upload a report text or a template, see findings and a preview, then confirm; remove a source."""

import streamlit as st

from evaldash import imports, shaping, store, ui
from evaldash.export import flat_csv_bytes
from evaldash.model import FLAT_COLUMNS

REQUIRED_NOTE = "必須列: municipality, policy_no, policy_name, measure_id, indicator, unit, fiscal_year（または fiscal_label）, value"
ui.require_entry_point()
st.title("取込")
st.caption("翌年度の報告書（テキスト）や、Excel・CSV のテンプレートで作った数値を追加します。確認してから確定するまで、データは変わりません。")

with st.expander("テンプレートについて", icon=":material/info:"):
    st.markdown("エクスポートと同じ列名の CSV または Excel を取り込めます。" + ui.md_escape(REQUIRED_NOTE) + "。ほかの列は省略できます。")
    example = ui.query("template_example")
    st.download_button("テンプレート（記入例つき CSV）", lambda: flat_csv_bytes(example[FLAT_COLUMNS], bom=True),
                       file_name="施策評価_取込テンプレート.csv", mime="text/csv", icon=":material/download:",
                       on_click="ignore", key="dl_template")

uploads = st.file_uploader("ファイルを選ぶ（.txt / .csv / .xlsx、20MB まで）", type=["txt", "csv", "xlsx"],
                           accept_multiple_files=True, key=f"upload_{st.session_state.get('_upload_round', 0)}")
if uploads:
    items = [(u.name, u.getvalue()) for u in uploads]
    refused = False
    for name, data in items:
        _, findings = imports.check_bytes(data, name)
        errors = [x for x in findings if x.severity == "error"]
        refused |= bool(errors)
        if findings:
            ui.show_findings(findings, f"{name}: " + ("取り込めません。次の点を直してください。" if errors else "注意があります（取り込みはできます）。"))
        else:
            st.success(ui.md_escape(f"{name}: 問題は見つかりませんでした。"), icon=":material/check_circle:")
    if not refused:
        with st.spinner("変更点を計算しています…"):
            preview = imports.preview(items)
        st.header("取り込むと変わること")
        m = st.columns(4)
        m[0].metric("新しい施策", len(preview["new_measures"]), border=True)
        m[1].metric("新しい年度", len(preview["new_fiscal_years"]), border=True,
                    help="、".join(preview["new_fiscal_years"]["fiscal_label"]))
        m[2].metric("追加される値", len(preview["new_values"]), border=True)
        m[3].metric("修正される値", len(preview["revised_values"]), border=True)
        if len(preview["revised_values"]):
            st.markdown("**修正される値（旧 → 新）**")
            st.dataframe(preview["revised_values"], hide_index=True, column_config={
                "municipality": "自治体", "measure_id": "施策番号", "indicator": "指標", "unit": "単位",
                "fiscal_label": "年度", "old_value": st.column_config.NumberColumn("旧", format="localized"),
                "new_value": st.column_config.NumberColumn("新", format="localized"), "source_file": "ファイル"})
        if len(preview["new_measures"]):
            st.markdown("**新しい施策**")
            st.dataframe(preview["new_measures"], hide_index=True, column_config={
                "municipality": "自治体", "measure_id": "施策番号", "policy_name": "運営方針", "purpose": "目的",
                "reflection": "反映区分"})
        if len(preview["new_values"]):
            with st.expander(f"追加される値（{len(preview['new_values'])} 件）"):
                st.dataframe(preview["new_values"], hide_index=True, column_config={
                    "municipality": "自治体", "measure_id": "施策番号", "indicator": "指標", "unit": "単位",
                    "fiscal_label": "年度", "value": st.column_config.NumberColumn("値", format="localized"),
                    "value_status": "状態"})
        if st.button("確定して取り込む", type="primary", icon=":material/check:", key="confirm_import"):
            with st.status("取り込んでいます…", expanded=True) as status:
                outcome = imports.add_sources(items, progress=status.write)
                if outcome.ok:
                    status.update(label="取り込みました", state="complete")
                else:
                    status.update(label="取り込めませんでした（データは変わっていません）", state="error")
            if outcome.ok:
                st.session_state["_upload_round"] = st.session_state.get("_upload_round", 0) + 1
                st.session_state["_import_done"] = f"取り込みました: {'、'.join(outcome.added) or '（すでに取り込み済み）'}"
                st.rerun()
            ui.show_findings(outcome.findings, "取り込めませんでした。データは変わっていません。")
if st.session_state.get("_import_done"):
    st.success(ui.md_escape(st.session_state.pop("_import_done")), icon=":material/check_circle:")

st.header("取り込み済みのデータ")
sources = ui.shaped(shaping.source_table, "sources")
st.dataframe(sources, hide_index=True,
             column_config={"source_file": "ファイル", "source_kind": "種類", "municipality": "自治体",
                            "report_label": "報告書の年度", "measures": "施策数", "indicators": "指標数",
                            "warnings": "注意", "imported_at": st.column_config.DatetimeColumn("更新日時", format="YYYY-MM-DD HH:mm")})
if len(sources) > 1:
    with st.form("remove_form"):
        name = st.selectbox("取り除くファイル", sources["source_file"].tolist(), key="remove_name")
        st.caption("ファイルは data/removed/ に移して保管され、データはそれを除いて作り直されます。")
        if st.form_submit_button("取り除く", icon=":material/delete:"):
            with st.spinner("データを作り直しています…"):
                outcome = imports.remove_source(name)
            if outcome.ok:
                st.session_state["_import_done"] = f"{name} を取り除きました（{outcome.kept_as} に保管しています）"
                st.rerun()
            ui.show_findings(outcome.findings, "取り除けませんでした。データは変わっていません。")
else:
    st.caption(f"報告書フォルダ: {store.reports_dir().name}/ の {len(sources)} 件。最後の1件は取り除けません。")

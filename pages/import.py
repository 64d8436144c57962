"""取込: upload a report text or a template, see findings and a preview, then confirm; remove a source."""

import streamlit as st

from evaldash import audit, imports, shaping, store, ui, worker
from evaldash.export import HEADERS, flat_csv_bytes
from evaldash.model import FLAT_COLUMNS

REQUIRED_NOTE = "必須列: municipality, policy_no, policy_name, measure_id, indicator, unit, fiscal_year（または fiscal_label）, value"
ui.require_entry_point()
st.title("取込")
decided = ui.page_access()  # the page's own check: a direct URL or a stale tab gets the same answer
if not decided.can_edit:
    st.warning(ui.md_escape(decided.reason_ja), icon=":material/lock:")
    st.caption("閲覧はどのページでもできます。データの変更は編集者だけができます。")
    ui.stop()
st.caption("翌年度の報告書（テキスト）や、Excel・CSV のテンプレートで作った数値を追加します。確認してから確定するまで、データは変わりません。")

with st.expander("テンプレートについて", icon=":material/info:"):
    st.markdown("エクスポートと同じ列名の CSV または Excel を取り込めます。" + ui.md_escape(REQUIRED_NOTE) + "。ほかの列は省略できます。")
    example = ui.query("template_example")
    st.download_button("テンプレート（記入例つき CSV）", lambda: flat_csv_bytes(example[FLAT_COLUMNS], bom=True),
                       file_name="施策評価_取込テンプレート.csv", mime="text/csv", icon=":material/download:",
                       on_click="ignore", key="dl_template")

def checked(name: str, data: bytes) -> tuple[list, dict | None]:
    """Findings and preview of one upload (worker.check_upload), computed once per name and content."""
    cache = st.session_state.setdefault("_upload_checks", {})
    key = (name, audit.file_info(name, data)["sha256"])
    if key not in cache:
        with st.spinner(f"{name} を確かめています…"):
            cache[key] = worker.check_upload(name, data)
    return cache[key]


# The headings of the preview's three tables, each of which shows some of these columns: the flat table's names.
ja = HEADERS["ja"]
PREVIEW_COLUMNS = {
    **ja, "purpose": "目的", "value": st.column_config.NumberColumn(ja["value"], format="localized"),
    "old_value": st.column_config.NumberColumn("旧", format="localized"),
    "new_value": st.column_config.NumberColumn("新", format="localized"),
}


def show_preview(name: str, preview: dict) -> None:
    st.header(f"{name} を取り込むと変わること")
    m = st.columns(4)
    m[0].metric("新しい施策", len(preview["new_measures"]), border=True)
    m[1].metric("新しい年度", len(preview["new_fiscal_years"]), border=True,
                help="、".join(preview["new_fiscal_years"]["fiscal_label"]))
    m[2].metric("追加される値", len(preview["new_values"]), border=True)
    m[3].metric("修正される値", len(preview["revised_values"]), border=True)
    for key, heading in (("revised_values", "修正される値（旧 → 新）"), ("new_measures", "新しい施策")):
        if len(preview[key]):
            st.markdown(f"**{heading}**")
            ui.dataframe(preview[key], column_config=PREVIEW_COLUMNS)
    if len(preview["new_values"]):
        with st.expander(f"追加される値（{len(preview['new_values'])} 件）"):
            ui.dataframe(preview["new_values"], column_config=PREVIEW_COLUMNS)


def done(message: str) -> None:
    """After a write: the next run shows the message, and previews computed against the old data are forgotten."""
    st.session_state.pop("_upload_checks", None)
    st.session_state["_import_done"] = message
    st.rerun()


uploads = st.file_uploader("ファイルを選ぶ（.txt / .csv / .xlsx、20MB まで）", type=["txt", "csv", "xlsx"],
                           accept_multiple_files=True, key=f"upload_{st.session_state.get('_upload_round', 0)}")
if uploads:
    items = [(u.name, u.getvalue()) for u in uploads]
    previews = []  # each upload's preview: None when it has an error
    for name, data in items:
        findings, preview = checked(name, data)
        previews.append(preview)
        errors = any(x.severity == "error" for x in findings)
        if findings:
            ui.show_findings(findings, f"{name}: " + ("取り込めません。次の点を直してください。" if errors else "注意があります（取り込みはできます）。"))
        else:
            st.success(ui.md_escape(f"{name}: 問題は見つかりませんでした。"), icon=":material/check_circle:")
    if all(preview is not None for preview in previews):
        for (name, _), preview in zip(items, previews):
            show_preview(name, preview)
        if st.button("確定して取り込む", type="primary", icon=":material/check:", key="confirm_import"):
            # One file: the audit record keeps the preview shown; several: the add previews them together.
            changes = audit.changes_from_preview(previews[0]) if len(previews) == 1 else None
            with st.spinner("取り込んでいます…"):
                outcome = worker.add_uploads(items, actor=ui.actor(), changes=changes)
            if outcome.ok:
                st.session_state["_upload_round"] = st.session_state.get("_upload_round", 0) + 1
                done(f"取り込みました: {'、'.join(outcome.added) or '（すでに取り込み済み）'}")
            ui.show_findings(outcome.findings, "取り込めませんでした。データは変わっていません。")
if st.session_state.get("_import_done"):
    st.success(ui.md_escape(st.session_state.pop("_import_done")), icon=":material/check_circle:")

st.header("取り込み済みのデータ")
sources = ui.shaped(shaping.source_table, "sources")
ui.dataframe(sources, column_config={"source_file": "ファイル", "source_kind": "種類", "municipality": "自治体",
                                     "report_label": "報告書の年度", "measures": "施策数", "indicators": "指標数",
                                     "warnings": "注意",
                                     "imported_at": st.column_config.DatetimeColumn("更新日時", format="YYYY-MM-DD HH:mm")})
if len(sources) > 1:
    with st.form("remove_form"):
        name = st.selectbox("取り除くファイル", sources["source_file"].tolist(), key="remove_name")
        st.caption("ファイルは data/removed/ に移して保管され、データはそれを除いて作り直されます。")
        if st.form_submit_button("取り除く", icon=":material/delete:"):
            with st.spinner("データを作り直しています…"):
                outcome = imports.remove_source(name, actor=ui.actor())
            if outcome.ok:
                done(f"{name} を取り除きました（{outcome.kept_as} に保管しています）")
            ui.show_findings(outcome.findings, "取り除けませんでした。データは変わっていません。")
else:
    st.caption(f"報告書フォルダ: {store.reports_dir().name}/ の {len(sources)} 件。最後の1件は取り除けません。")

st.header("変更の記録")
log = audit.read()
with st.expander(f"追加・取り除き・作り直しの記録（新しい順、{len(log.records)} 件）", icon=":material/history:"):
    for problem in log.problems:
        st.warning(ui.md_escape(problem))
    when = st.column_config.DatetimeColumn(audit.HEADINGS["when"], format="YYYY-MM-DD HH:mm:ss")
    ui.dataframe(audit.table(log.records), column_config={**audit.HEADINGS, "when": when})

"""施策評価ダッシュボード — entry point: page setup, the shared sidebar, routing."""

import logging

import streamlit as st

from evaldash import page_lang, ui

st.set_page_config(page_title="施策評価ダッシュボード", page_icon=":material/insights:", layout="wide")

pages = [
    st.Page(ui.PAGE_FILES["overview"], title="概要", icon=":material/dashboard:", default=True),
    st.Page(ui.PAGE_FILES["trends"], title="推移", icon=":material/show_chart:", url_path="trends"),
    st.Page(ui.PAGE_FILES["changes"], title="変化", icon=":material/compare_arrows:", url_path="changes"),
    st.Page(ui.PAGE_FILES["card"], title="施策カード", icon=":material/description:", url_path="card"),
    st.Page(ui.PAGE_FILES["data"], title="データ", icon=":material/table:", url_path="data"),
    st.Page(ui.PAGE_FILES["import"], title="取込", icon=":material/upload_file:", url_path="import"),
]


def main() -> None:
    presenting = ui.presenting()
    page = st.navigation(pages, position="hidden" if presenting else "sidebar")
    st.session_state["_filters"] = ui.sidebar(draw=not presenting)
    try:
        page.run()
    except Exception:  # Streamlit's own rerun/stop signals are BaseException and pass through
        logging.getLogger("evaldash").exception("page %s failed", page.title)
        st.error("表示中に問題が発生しました。絞り込みを変えるか、ページを再読み込みしてください。")


if __name__ == "__main__":
    ui.entry_point(main)
else:  # imported by `streamlit run dashboard.py`, which then serves this App: pages in Japanese (evaldash.page_lang)
    app = st.App(__file__, middleware=page_lang.MIDDLEWARE)

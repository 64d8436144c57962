"""施策評価ダッシュボード — entry point: page setup, the shared sidebar, routing (pages: evaldash.ui.PAGES)."""

import logging

import streamlit as st

from evaldash import page_lang

def main() -> None:
    # Here, not at import: `streamlit run` imports this file once to find `app`, outside any script run, where
    # Streamlit warns about page config and caches in the server's log.
    from evaldash import ui
    from evaldash.ui import people

    st.set_page_config(page_title="施策評価ダッシュボード", page_icon=":material/insights:", layout="wide")
    presenting = ui.presenting()
    decided = ui.page_access()  # afresh on every run: mode, the person, the address, the data folder
    # The sidebar lists the pages itself (ui.sidebar), with links that carry the filter.
    page = st.navigation(ui.navigation_pages(decided.can_edit), position="hidden")
    if decided.needs_sign_in:
        people.sign_in_screen(page)
        return
    people.return_to_link(page)
    ui.sidebar(draw=not presenting, can_edit=decided.can_edit)
    if not presenting:
        people.sidebar_identity(decided, ui.data.identity())
    try:
        page.run()
    except Exception:  # Streamlit's own rerun/stop signals are BaseException and pass through
        logging.getLogger("evaldash").exception("page %s failed", page.title)
        st.error("表示中に問題が発生しました。絞り込みを変えるか、ページを再読み込みしてください。")
    # One change of the address a run, at its end, so that Back goes to the previous view; the view drawn before a
    # failure has its address too. After st.stop() nothing reaches the browser any more: a page stops with
    # ui.stop(), which writes first; a run that st.rerun() ends writes nothing, the next one will.
    ui.url.flush()


if __name__ == "__main__":
    from evaldash.ui import entry_point

    entry_point(main)
else:  # imported by `streamlit run dashboard.py`, which then serves this App: pages in Japanese (evaldash.page_lang)
    app = st.App(__file__, middleware=page_lang.MIDDLEWARE)

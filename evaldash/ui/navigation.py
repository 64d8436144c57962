"""The pages: one registry read by the entry point, the links between pages and the tests; and the guard that
runs a page inside the entry point."""

from __future__ import annotations

import contextvars
import runpy
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from .url import PARAMS, encode


@dataclass(frozen=True)
class Page:
    file: str
    title: str
    icon: str
    url_path: str | None  # None: the default page, at the app's root
    editor_only: bool = False  # listed in the navigation for editors only


# To add a page: an entry here, its file in pages/ and its queries in queries/. A page's file is named as its
# url_path: the first request after a server start is routed by file name (see require_entry_point), and a link
# to a name no file has then shows Streamlit's "Page not found".
PAGES = {
    "overview": Page("pages/overview.py", "概要", ":material/dashboard:", None),
    "trends": Page("pages/trends.py", "推移", ":material/show_chart:", "trends"),
    "changes": Page("pages/changes.py", "変化", ":material/compare_arrows:", "changes"),
    "card": Page("pages/card.py", "施策カード", ":material/description:", "card"),
    "data": Page("pages/data.py", "データ", ":material/table:", "data"),
    "import": Page("pages/import.py", "取込", ":material/upload_file:", "import", editor_only=True),
}
PAGE_FILES = {name: page.file for name, page in PAGES.items()}


def navigation_pages(can_edit: bool) -> list:
    """The st.Page of each registered page, for st.navigation. An editor's page is hidden from anyone else, but
    still routed: its direct URL opens the page, which says why it cannot be used (and every write it could
    make checks the person again)."""
    return [st.Page(p.file, title=p.title, icon=p.icon, url_path=p.url_path, default=p.url_path is None,
                    visibility="visible" if can_edit or not p.editor_only else "hidden")
            for p in PAGES.values()]


ENTRY_SCRIPT = Path(__file__).resolve().parents[2] / "dashboard.py"
_IN_ENTRY: contextvars.ContextVar[bool] = contextvars.ContextVar("evaldash_in_entry", default=False)


def entry_point(run) -> None:
    """Run the entry point's body, marking this script run as routed through it."""
    token = _IN_ENTRY.set(True)
    try:
        run()
    finally:
        _IN_ENTRY.reset(token)


def require_entry_point() -> None:
    """Pages must run inside dashboard.py (sidebar, filters, navigation).

    Streamlit treats an app with a pages/ folder as a v1 multipage app until
    st.navigation has run once in the process, so the very first request after
    a server start that names a page (a shared link) runs the page file alone.
    Route it through the entry point instead, then stop this bare run.
    """
    if _IN_ENTRY.get():
        return
    runpy.run_path(str(ENTRY_SCRIPT), run_name="__main__")
    st.stop()


def view_params() -> dict[str, str]:
    """The current filter as URL parameters, for links to other pages, and the image format when not the default."""
    params = {name: encode(v) for name, v in st.session_state["_filters"].params().items() if v}
    img = st.session_state.get("f_img", PARAMS["f_img"].default)
    if img != PARAMS["f_img"].default:
        params["img"] = img
    return params


def page_list(can_edit: bool) -> None:
    """The sidebar's list of pages. Each link carries the filter, so a page opens with it as one history entry;
    Streamlit's own navigation would open the page's bare address first, which the app then fills in (two entries,
    and Back would show the page without the filter)."""
    for p in PAGES.values():
        if can_edit or not p.editor_only:
            st.page_link(p.file, label=p.title, icon=p.icon, query_params=view_params(), width="stretch")


def page_link(page: str, label: str, icon: str, **extra) -> None:
    """A link to a registered page that keeps the filter."""
    st.page_link(PAGES[page].file, label=label, icon=icon, query_params={**view_params(), **extra})


def measure_link(measure_id: str, municipality: str, label: str | None = None) -> None:
    """A link to the card of a measure; with several cities in the store, the link names the measure's city too."""
    params = {"measure": measure_id}
    if st.session_state["_filters"].several_munis:
        params["m"] = municipality
    page_link("card", label or f"施策 {measure_id} のカードを開く", icon=":material/description:", **params)

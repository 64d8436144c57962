"""The thin Streamlit layer the pages use: data (a query's result, or a shaped view of it), the shared sidebar and
its filter, the URL-bound widgets, text shown as written, and the page registry. Pages import this and evaldash's
builders, nothing else."""

from ..filters import clean_search
from . import url
from .data import StoreReplaced, _connection, connection, current_store, query, query_rows, shaped
from .navigation import PAGE_FILES, PAGES, entry_point, measure_link, navigation_pages, page_link, require_entry_point
from .sidebar import chart_config, filters, page_header, presenting, sidebar
from .text import EMPTY_MESSAGE, badge_text, caption, empty_notice, md_escape, show_findings

__all__ = [
    "EMPTY_MESSAGE", "PAGES", "PAGE_FILES", "StoreReplaced", "_connection", "badge_text", "caption", "chart_config",
    "clean_search", "connection", "current_store", "empty_notice", "entry_point", "filters", "measure_link",
    "md_escape", "navigation_pages", "page_header", "page_link", "presenting", "query", "query_rows",
    "require_entry_point", "shaped", "show_findings", "sidebar", "url",
]

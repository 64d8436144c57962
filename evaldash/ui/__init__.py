"""The thin Streamlit layer the pages use: data (a query's result, or a shaped view of it), the shared sidebar and
its filter, the URL-bound widgets (url.bind), text shown as written, and the page registry. Pages import this and
evaldash's builders, nothing else."""

from . import narrow, url
from .data import actor, connection, page_access, query, shaped
from .navigation import PAGE_FILES, PAGES, entry_point, measure_link, navigation_pages, page_link, require_entry_point
from .sidebar import chart_config, empty_view, filters, page_header, presenting, sidebar
from .text import EMPTY_MESSAGE, badge_text, caption, chart_table, dataframe, empty_notice, md_escape, show_findings
from .url import stop

"""Whether the page's main block is narrow (a phone, or a small window beside the open sidebar).

A table's column widths and a chart's lines of text are fixed by the server, which cannot know how wide the window
is: a small component says so, and a page may then lay a table or a chart out for a narrow screen. It reports only a change from what the
server already knows, so a wide window (the default) never causes a rerun.
"""

from __future__ import annotations

import streamlit as st

from .. import charts

KEY = "narrow_block"
# Main-block width below which the 変化 table's pinned columns (what a row is) leave no room for its numbers, and
# a chart's title or names run past its edge.
NARROW_BELOW = 600

_JS = """
export default function ({ data, setStateValue }) {
  const block = document.querySelector("[data-testid=stMainBlockContainer]") || document.body;
  let sent = Boolean(data && data.narrow);
  const report = () => {
    const narrow = block.clientWidth < data.below;
    if (narrow !== sent) {
      sent = narrow;
      setStateValue("narrow", narrow);
    }
  };
  const resized = new ResizeObserver(report);
  resized.observe(block);
  report();
  return () => resized.disconnect();
}
"""

_watch = st.components.v2.component("evaldash_narrow_block", js=_JS)


def is_narrow() -> bool:
    """What the browser last said (False until it has said anything)."""
    return bool((st.session_state.get(KEY) or {}).get("narrow"))


def watch() -> None:
    """Mounts the component, once a run; it draws nothing, and at the end of a horizontal row takes no room."""
    _watch(key=KEY, data={"narrow": is_narrow(), "below": NARROW_BELOW}, default={"narrow": False}, height=0,
           width=1, on_narrow_change=lambda: None)


def fit(figure):
    """The figure as a narrow main block shows it whole (charts.for_narrow), or as it is on a wider one."""
    return charts.for_narrow(figure) if is_narrow() else figure

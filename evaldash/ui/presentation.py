"""発表モード of 推移: one indicator per screen, the chart as tall as the window, moved by the keys a clicker sends.

The server cannot know the window's height, so a small component reports `window.innerHeight` and the room the
rest of the slide takes (again when the window is resized). ←/→ are the buttons' own shortcuts; a button takes one
shortcut only, so the same component turns PageUp/PageDown (what most presentation clickers send) into a step.
"""

from __future__ import annotations

import collections

import pandas as pd
import streamlit as st

from .. import shaping
from . import url
from .data import shaped
from .sidebar import chart_config
from .text import CHART_TABLE_LABEL, caption, chart_table, md_escape

KEY = "present_window"
SLIDE = "tr_slide"
MIN_CHART = 300
MARGIN = 16  # below the source line, so that its last pixel is on screen
FIRST_HEIGHT = 420  # until the browser has said how much room the window leaves

# Reports the window's height and `rest`: how far down the page the slide reaches without its chart (where this
# empty component sits, the slide's last element, less the chart's height). The chart gets height - rest: the
# whole slide fits the window whatever the title and the sentence wrap to. A change of the chart's own height
# moves the bottom by as much, so `rest` stays the same and the report settles after one run.
_JS = """
export default function ({ parentElement, setStateValue, setTriggerValue }) {
  const main = document.querySelector("[data-testid=stMain]");
  const block = document.querySelector("[data-testid=stMainBlockContainer]") || document.body;
  const here = parentElement.host || parentElement;  // a shadow root's element
  let sent = "";
  const report = () => {
    const chart = block.querySelector("[data-testid=stPlotlyChart]");
    const top = here.getBoundingClientRect().top + (main ? main.scrollTop : 0);
    const rest = Math.round(top - (chart ? chart.getBoundingClientRect().height : 0));
    const now = `${window.innerHeight} ${rest}`;
    if (now !== sent) {
      sent = now;
      setStateValue("room", { height: window.innerHeight, rest });
    }
  };
  const step = { PageDown: 1, PageUp: -1 };
  const onKey = (e) => {
    const editing = e.target.closest && e.target.closest("input, textarea, [contenteditable=true]");
    if (e.key in step && !editing && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      setTriggerValue("step", step[e.key]);
    }
  };
  if (!window.__evaldashPresenting) {
    window.__evaldashPresenting = true;
    if (main) main.scrollTo(0, 0);
    window.scrollTo(0, 0);
  }
  const resized = new ResizeObserver(report);
  resized.observe(block);
  report();
  window.addEventListener("resize", report);
  document.addEventListener("keydown", onKey);
  return () => {
    resized.disconnect();
    window.removeEventListener("resize", report);
    document.removeEventListener("keydown", onKey);
    window.__evaldashPresenting = false;
  };
}
"""

_window = st.components.v2.component("evaldash_present_window", js=_JS)


def _go(to: int) -> None:
    st.session_state[SLIDE] = to


def _step(count: int) -> None:
    """PageUp/PageDown: one slide back or on, never past the first or the last."""
    step = (st.session_state.get(KEY) or {}).get("step")
    if step:
        _go(min(max(st.session_state[SLIDE] + int(step), 1), count))


def _chart_height() -> int:
    room = (st.session_state.get(KEY) or {}).get("room")
    if not room:
        return FIRST_HEIGHT
    return max(MIN_CHART, int(room["height"]) - int(room["rest"]) - MARGIN)


# The slide's one row of controls: settings and the chart's numbers (folded away), previous, next, where we are, exit.
Toolbar = collections.namedtuple("Toolbar", "settings table prev next count exit")


def toolbar() -> Toolbar:
    """Drawn first, so the page can put its chart settings in `settings` before the slide is known."""
    cells = st.columns([2, 2, 1, 1, 1, 2], vertical_alignment="center")
    settings = cells[0].popover("指標と表示の設定", icon=":material/tune:", width="stretch")
    table = cells[1].popover(CHART_TABLE_LABEL, icon=":material/table:", width="stretch")
    return Toolbar(settings, table, *cells[2:])


def show(bar: Toolbar, ids: list[str], series: pd.DataFrame, targets: tuple, summary_of: dict,
         mode: str, kind: str, era: str) -> None:
    """One indicator per screen (`ids` in order, their values in `series`): title, subtitle (unit, years), the chart
    or why there is none, the change sentence, the source; previous / next by button, ←/→ or PageUp/PageDown."""
    present = set(series["indicator_id"].tolist())
    ordered = [i for i in ids if i in present]
    count = len(ordered)
    k = st.session_state[url.bind(SLIDE, list(range(1, count + 1)))]
    bar.prev.button("前へ", on_click=_go, args=(k - 1,), disabled=k <= 1, width="stretch", key="prev_slide",
                    shortcut="Left", help="← キーまたは PageUp キーでも戻ります")
    bar.next.button("次へ", on_click=_go, args=(k + 1,), disabled=k >= count, width="stretch", key="next_slide",
                    shortcut="Right", help="→ キーまたは PageDown キーでも進みます")
    bar.count.markdown(f"**{k} / {count}**")
    if bar.exit.button("発表モードを終了", icon=":material/close_fullscreen:", width="stretch", key="exit_present"):
        del st.query_params["present"]
        st.query_params.pop("slide", None)
        st.rerun()
    view = shaped(shaping.slide, "indicator_series", {"ids": ids}, ordered[k - 1], mode, kind, era, targets)
    row = view.row
    values = series.loc[series["indicator_id"] == row.indicator_id, "value"]
    st.title(md_escape(row.indicator), anchor=False)
    st.header(md_escape(view.subtitle), anchor=False)
    if values.notna().any():
        # Our own large type, not the theme's: the room may be far from the screen.
        st.plotly_chart(view.figure, config=chart_config(f"発表_{row.indicator[:40]}"), key="present_chart",
                        theme=None, height=_chart_height())
        chart_table(view.figure, "年度", bar.table)  # in the toolbar: the slide keeps its room for the chart
    else:
        st.info("この指標には表示できる値がありません（報告書では各年度とも「-」）。", icon=":material/info:")
        if isinstance(row.note, str) and row.note:
            st.subheader(md_escape(row.note), anchor=False)
    if row.indicator_id in summary_of:
        st.subheader(md_escape(summary_of[row.indicator_id]), anchor=False)
    caption(view.source)
    # The window's height and the clicker's keys (see the module's docstring); it draws nothing, and comes last so
    # that its empty box adds no gap between the slide's parts.
    _window(key=KEY, default={"room": None}, height=0, on_room_change=lambda: None,
            on_step_change=lambda: _step(count))

"""The shared sidebar: the filter (its state in the URL), the image format, and what pages read of them."""

from __future__ import annotations

import streamlit as st

from .. import shaping
from ..filters import MAX_SEARCH, Filters, clean_search, describe
from . import url
from .data import current_store, shaped
from .navigation import require_entry_point
from .text import caption, md_escape

IMAGE_FORMATS = {"png": "PNG", "svg": "SVG"}
FILTER_KEYS = [f"f_{name}" for name in Filters.__dataclass_fields__ if name != "several_munis"]


def sidebar(draw: bool = True) -> Filters:
    """The shared filter, drawn by the entry point on every page for filters() to read. Its state lives in the URL.

    With draw=False (presentation mode) nothing is drawn and the filter comes from the
    session, where the widgets persist it, or from the URL of a shared link.
    """
    st.session_state["_store"] = current_store()
    chosen = st.session_state["_filters"] = _filter_widgets(st.sidebar) if draw else _silent_filters()
    if not draw:
        return chosen
    sb = st.sidebar
    sb.button("絞り込みを解除", on_click=_reset_filters, icon=":material/restart_alt:", width="stretch")
    sb.caption("URL に絞り込みが入ります。アドレスをコピーすると同じ表示を共有できます。")
    if url.ignored():
        sb.caption(md_escape("開いたリンクの次の値は見つからないため使いませんでした: " + "、".join(url.ignored())))
    sb.segmented_control("グラフ画像の保存形式", list(IMAGE_FORMATS), key=url.bind("f_img", list(IMAGE_FORMATS)),
                         required=True, persist_state="session", format_func=IMAGE_FORMATS.get,
                         help="グラフ右上のカメラのボタンで保存する画像の形式（PNG は2倍の解像度）")
    return chosen


def _filter_widgets(sb) -> Filters:
    sb.subheader("絞り込み")
    munis = shaped(shaping.municipality_list, "municipalities")
    several = len(munis) > 1
    if several:
        muni = sb.multiselect("自治体", munis, key=url.bind("f_muni", munis), placeholder="すべての自治体",
                              persist_state="session")
    else:
        muni = []
        url.write("muni", None)
    names = shaped(shaping.policy_names, "policy_options", {"muni": muni})
    pol = sb.multiselect("運営方針", list(names), key=url.bind("f_pol", list(names)), placeholder="すべての運営方針",
                         persist_state="session", format_func=lambda p: f"{p:02d} {names.get(p, '')}")
    sections_of = shaped(shaping.sections_by_department, "department_options", {"muni": muni, "pol": pol})
    dept = sb.multiselect("担当部", list(sections_of), key=url.bind("f_dept", list(sections_of)),
                          placeholder="すべての部", persist_state="session")
    # Only the 課 of the chosen 部: one of a 部 no longer chosen would filter to nothing.
    sec_options = list(dict.fromkeys(s for d in sections_of if not dept or d in dept for s in sections_of[d]))
    sec = sb.multiselect("担当課", sec_options, key=url.bind("f_sec", sec_options), persist_state="session",
                         placeholder="すべての課" if not dept else "選んだ部のすべての課")
    labels = shaped(shaping.reflection_labels, "reflection_options")
    refl = sb.pills("反映区分", list(labels), key=url.bind("f_refl", list(labels)), selection_mode="multi",
                    persist_state="session", format_func=lambda r: f"{r}：{labels.get(r, '')}") or []
    q = clean_search(sb.text_input("キーワード検索", key=url.bind("f_q"), max_chars=MAX_SEARCH, persist_state="session",
                                   placeholder="例: 女性、平和、協定", help="施策の目的・取組・指標名から探します"))
    st.session_state["_policy_names"] = names
    st.session_state["_reflection_labels"] = labels
    return Filters(muni, pol, dept, sec, refl, q, several)


def _silent_filters() -> Filters:
    munis = shaped(shaping.municipality_list, "municipalities")
    st.session_state.setdefault("_policy_names", shaped(shaping.policy_names, "policy_options"))
    st.session_state.setdefault("_reflection_labels", shaped(shaping.reflection_labels, "reflection_options"))
    values = [st.session_state[url.bind(key)] for key in FILTER_KEYS]
    return Filters(*values, several_munis=len(munis) > 1)


def _reset_filters() -> None:
    # Assign the empty values: popping the keys would leave the chips drawn as chosen in the browser.
    for key in FILTER_KEYS:
        param = url.PARAMS[key]
        st.session_state[key] = [] if param.default is None else param.default
        url.write(param.name, None)


def filters() -> Filters:
    """The filter the sidebar holds for this run."""
    require_entry_point()
    return st.session_state["_filters"]


def source_caption() -> str:
    """「出典: 苫小牧市 施策評価表 R1年度」 from the data, for the selected municipalities."""
    return shaped(shaping.source_caption, "source_labels", {"muni": filters().muni})


def page_header(title: str) -> None:
    """Title, then what the filter selects and where the data comes from."""
    st.title(title)
    words = describe(filters().params(), st.session_state["_policy_names"], st.session_state["_reflection_labels"])
    caption(f"{' / '.join(words)}　|　{source_caption()}")


def presenting() -> bool:
    """Presentation mode: kept in the URL (?present=1) so a link opens straight into it."""
    return st.query_params.get("present") == "1"


def chart_config(filename: str) -> dict:
    """Plotly's toolbar for a chart: its image saved under `filename`, in the format the sidebar chose."""
    from ..charts import image_config

    return image_config(filename, st.session_state.get("f_img", "png"))

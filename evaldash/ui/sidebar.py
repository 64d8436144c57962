"""The shared sidebar: the filter (its state in the URL), the image format, and what pages read of them."""

from __future__ import annotations

import streamlit as st

from .. import shaping
from ..charts import image_config
from ..export.deck.selection import selection_file_name
from .. import filters as fl
from ..filters import MAX_SEARCH, Filters, clean_search, describe
from . import url
from .data import current_store, query, shaped
from .navigation import page_list, require_entry_point
from .text import EMPTY_MESSAGE, caption, empty_notice, md_escape

IMAGE_FORMATS = {"png": "PNG", "svg": "SVG"}
SEARCH_HELP = ("施策の目的・具体的な取組・指標名などから探します。空白で区切った語はすべてを含むものを探し、"
               "全角・半角、カタカナ・ひらがなの違いは区別しません。")
# Hits whose matching places the sidebar lists at most.
SEARCH_HITS_CAP = 50
FILTER_KEYS = [f"f_{name}" for name in Filters.__dataclass_fields__ if name != "several_munis"]


def sidebar(draw: bool, can_edit: bool) -> None:
    """The list of pages and the shared filter, drawn by the entry point on every page for filters() to read. Its
    state lives in the URL.

    With draw=False (presentation mode) nothing is drawn and the filter comes from the
    session, where the widgets persist it, or from the URL of a shared link.
    """
    url.follow_address()
    st.session_state["_store"] = current_store()
    pages = st.sidebar.container() if draw else None  # on top, filled once the filter of this run is known
    st.session_state["_filters"] = _filter_widgets(st.sidebar) if draw else _silent_filters()
    if not draw:
        return
    with pages:
        page_list(can_edit)
    sb = st.sidebar
    sb.button("絞り込みを解除", on_click=_reset_filters, icon=":material/restart_alt:", width="stretch")
    sb.caption("URL に絞り込みが入ります。アドレスをコピーすると同じ表示を共有できます。")
    if url.ignored():
        sb.caption(md_escape("開いたリンクの次の値は見つからないため使いませんでした: " + "、".join(url.ignored())))
    sb.segmented_control("グラフ画像の保存形式", list(IMAGE_FORMATS), key=url.bind("f_img", list(IMAGE_FORMATS)),
                         required=True, persist_state="session", format_func=IMAGE_FORMATS.get,
                         help="グラフ右上のカメラのボタンで保存する画像の形式（PNG は2倍の解像度）")


def _filter_widgets(sb) -> Filters:
    sb.subheader("絞り込み")
    munis = shaped(shaping.municipality_list, "municipalities")
    several = len(munis) > 1
    if several:
        muni = sb.multiselect(fl.FIELD_LABELS["muni"], munis, key=url.bind("f_muni", munis), placeholder="すべての自治体",
                              persist_state="session")
    else:
        muni = []
        url.write("muni", None)
    counts = _facet_counts(muni)
    names = shaped(shaping.policy_names, "policy_options", {"muni": muni})
    pol = sb.multiselect(fl.FIELD_LABELS["pol"], list(names), key=url.bind("f_pol", list(names)),
                         placeholder="すべての運営方針", persist_state="session", format_func=lambda p: fl.with_count(
                             fl.short_policy_label(p, names.get(p)), counts.get("pol", {}), p))
    sections_of = shaped(shaping.sections_by_department, "department_options", {"muni": muni, "pol": pol})
    dept = sb.multiselect(fl.FIELD_LABELS["dept"], list(sections_of), key=url.bind("f_dept", list(sections_of)),
                          placeholder="すべての部", persist_state="session",
                          format_func=lambda d: fl.with_count(d, counts.get("dept", {}), d))
    # Only the 課 of the chosen 部: one of a 部 no longer chosen would filter to nothing.
    sec_options = list(dict.fromkeys(s for d in sections_of if not dept or d in dept for s in sections_of[d]))
    sec = sb.multiselect(fl.FIELD_LABELS["sec"], sec_options, key=url.bind("f_sec", sec_options),
                         persist_state="session", placeholder="すべての課" if not dept else "選んだ部のすべての課",
                         format_func=lambda c: fl.with_count(c, counts.get("sec", {}), c))
    labels = shaped(shaping.reflection_labels, "reflection_options")
    refl = sb.pills(fl.FIELD_LABELS["refl"], list(labels), key=url.bind("f_refl", list(labels)), selection_mode="multi",
                    persist_state="session",  # the count before the label, which a narrow sidebar cuts short
                    format_func=lambda r: f"{fl.with_count(r, counts.get('refl', {}), r)}：{labels.get(r, '')}") or []
    q = clean_search(sb.text_input(fl.FIELD_LABELS["q"], key=url.bind("f_q"), max_chars=MAX_SEARCH,
                                   persist_state="session", placeholder="例: 女性 登録", help=SEARCH_HELP))
    st.session_state["_policy_names"] = names
    st.session_state["_reflection_labels"] = labels
    chosen = Filters(muni, pol, dept, sec, refl, q, several)
    if q:
        _search_hits(sb, chosen)
    return chosen


def _facet_counts(muni: list[str]) -> dict[str, dict[str, int]]:
    """Measures each option of 運営方針, 部, 課 and 反映区分 would select under the other filters, read before the
    widgets are drawn (their values as this run starts: the last run's, or a link's)."""
    now = {name: url.peek(f"f_{name}") for name in ("pol", "dept", "sec", "refl", "q")}
    now["q"] = clean_search(now["q"])
    return shaped(fl.facet_counts, "facet_counts", {**now, "muni": muni})


def _search_hits(box, chosen: Filters) -> None:
    """Under the search box: where each hit matched, or the nearest indicator names when nothing matched."""
    hits = query("search_hits", {**chosen.params(), "limit": SEARCH_HITS_CAP})
    if hits.empty:
        box.caption(md_escape(f"「{chosen.q}」に一致する施策はありません。"))
        suggest(box, chosen.q, chosen.muni, "sb")
        return
    more = "以上" if len(hits) == SEARCH_HITS_CAP else ""
    with box.expander(f"一致した箇所（{len(hits)}件{more}）", icon=":material/manage_search:"):
        for hit in hits.itertuples(index=False):
            st.caption(md_escape(f"{hit.measure_id} {hit.initiative_name or ''}: {fl.match_places(hit)}"))


def suggest(box, q: str, muni: list[str], where: str) -> None:
    """「もしかして: 女性人材バンク登録者数」: the nearest indicator names, a button each that searches for it."""
    for k, name in enumerate(query("search_suggestions", {"q": q, "muni": muni})["indicator"]):
        box.button(f"もしかして: {name}", key=f"suggest_{where}_{k}", on_click=_search_for, args=(name,),
                   icon=":material/search:")


def _search_for(text: str) -> None:
    st.session_state["f_q"] = clean_search(text)


def _drop(field: str, value) -> None:
    """Take one choice out of the filter (an empty view's button)."""
    key = f"f_{field}"
    st.session_state[key] = "" if field == "q" else [v for v in st.session_state.get(key, []) if v != value]


def empty_view(message: str = EMPTY_MESSAGE, unit: str = "indicators") -> None:
    """A page's empty result: says so, names the single choices whose removal gives `unit` back (measures or
    indicators), a button each that takes it out, and for a search that missed, the nearest indicator names; then
    stops the page."""
    empty_notice(message)
    f = filters()
    params = f.params()
    count = lambda p: int(query("filter_count", p)[unit].iloc[0])  # noqa: E731
    if not any(params.values()) or count(params) > 0:
        url.stop()  # the filter selects rows: the page's own settings emptied the view
    found = fl.culprits(params, count, st.session_state.get("_policy_names"))
    if found:
        st.caption("次の絞り込みを一つ外すと表示されます。")
        for r in found:
            st.button(f"『{r.label}』を外す", key=f"drop_{r.field}_{r.value}", on_click=_drop, args=(r.field, r.value),
                      icon=":material/filter_alt_off:")
    else:
        st.caption("絞り込みを一つ外すだけでは表示されません。")
        st.button("絞り込みを解除", key="drop_all", on_click=_reset_filters, icon=":material/restart_alt:")
    if f.q and count({**params, **{k: [] for k in ("pol", "dept", "sec", "refl")}}) == 0:
        suggest(st, f.q, f.muni, "main")
    url.stop()


def _silent_filters() -> Filters:
    munis = shaped(shaping.municipality_list, "municipalities")
    st.session_state.setdefault("_policy_names", shaped(shaping.policy_names, "policy_options"))
    st.session_state.setdefault("_reflection_labels", shaped(shaping.reflection_labels, "reflection_options"))
    values = [st.session_state[url.bind(key)] for key in FILTER_KEYS]
    return Filters(*values, several_munis=len(munis) > 1)


def _reset_filters() -> None:
    # Assign the empty values: popping the keys would leave the chips drawn as chosen in the browser. The run this
    # click starts takes the parameters out of the address, as bind writes an empty value.
    for key in FILTER_KEYS:
        default = url.PARAMS[key].default
        st.session_state[key] = [] if default is None else default


def filters() -> Filters:
    """The filter the sidebar holds for this run."""
    require_entry_point()
    return st.session_state["_filters"]


def source_caption() -> str:
    """「出典: 苫小牧市 施策評価表 R1年度」 from the data, for the selected municipalities."""
    return shaped(shaping.source_caption, "source_labels", {"muni": filters().muni})


def download_name(kind: str) -> str:
    """施策評価_推移_運営方針03_R1年度.pptx: a download named from the filter, not from what it happens to hold."""
    f = filters()
    return shaped(selection_file_name, "source_labels", {"muni": f.muni}, kind, tuple(f.muni), tuple(f.pol))


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
    return image_config(filename, st.session_state.get("f_img", url.PARAMS["f_img"].default))

"""The thin Streamlit layer: the store connection, cached named queries, the shared
sidebar and the URL state. Pages import this and evaldash's builders, nothing else.
"""

from __future__ import annotations

import contextvars
import hashlib
import re
import runpy
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from . import sql, store
from .report import Finding
from . import shaping

EMPTY_MESSAGE = "該当する指標がありません"
MAX_SEARCH = 100

PAGE_FILES = {
    "overview": "pages/overview.py",
    "trends": "pages/trends.py",
    "changes": "pages/changes.py",
    "card": "pages/card.py",
    "data": "pages/data.py",
    "import": "pages/imports.py",
}

# The shared filter: URL key -> widget key. Values in the URL are short codes.
FILTER_KEYS = {"muni": "f_muni", "pol": "f_pol", "dept": "f_dept", "sec": "f_sec", "refl": "f_refl", "q": "f_q"}
IMAGE_FORMATS = {"png": "PNG", "svg": "SVG"}


# --- routing ---------------------------------------------------------------------------------

ENTRY_SCRIPT = Path(__file__).resolve().parent.parent / "dashboard.py"
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


# --- the store ---------------------------------------------------------------------------------

class StoreReplaced(Exception):
    """The store file is no longer the version a cache key names: a build replaced it."""


@st.cache_resource(max_entries=2, show_spinner=False)
def _connection(path: str, identity: tuple[int, int]):
    # One connection per store file version; every query opens its own cursor (sql.run).
    # The key names a version, but connect_readonly opens whatever file is at the path now: a
    # build may have replaced it since the stat that made the key (or since this version's
    # connection was evicted while a run still used it). Such a connection would put the new
    # data under the old key, beside cached results of the old data: refuse it, cache nothing.
    con = store.connect_readonly(Path(path))
    if store.store_identity(Path(path)) != identity:  # unchanged before and after: we opened that version
        con.close()
        raise StoreReplaced(path)
    return con


@st.cache_data(max_entries=1, show_spinner=False)
def _failed_build(fingerprint: str, folder: str, db: str) -> list[Finding]:
    """Build once per folder state; a failure is remembered so reruns don't retry it."""
    try:
        store.ensure_store(Path(folder), Path(db), who="open")
    except store.BuildError as exc:
        return exc.findings
    return []


def current_store() -> tuple[Path, tuple[int, int]]:
    """The store to read, built first when missing or older than the reports."""
    folder, db = store.reports_dir(), store.db_path()
    ident = store.store_identity(db)
    fp = store.fingerprint(folder)
    try:
        meta = _store_meta(str(db), ident) if ident else {}
    except StoreReplaced:
        st.rerun()  # nothing drawn from the store yet: start again on the file that replaced it
    if ident is None or meta.get("fingerprint") != fp or meta.get("schema_version") != str(store.SCHEMA_VERSION):
        with st.spinner("報告書からデータを作成しています…"):
            findings = _failed_build(fp, str(folder), str(db))
        ident = store.store_identity(db)
        if findings:
            show_findings(findings, "報告書に誤りがあるため、データを更新できませんでした。")
            if ident is None:
                st.stop()
            st.caption("前回作成したデータを表示しています。")
    return db, ident


# cache_resource: a hit is the dict itself, not an unpickled copy (every rerun asks); no caller changes it.
@st.cache_resource(max_entries=4, show_spinner=False)
def _store_meta(path: str, identity: tuple[int, int]) -> dict[str, str]:
    df = sql.run(_connection(path, identity), "store_info")
    return dict(zip(df["key"], df["value"]))


class _Key(str):
    """A cache key: its text is what Streamlit hashes, and it carries what a miss needs (`job`).

    One argument to a cached function rather than the key and the job as unhashed `_arguments`: Streamlit looks up
    each argument's name in the function's signature on every call, 11 µs an argument (bench: 23 against 57 µs a
    hit with four), and a rerun makes 10-15 such calls.
    """

    job: tuple


def _key(text: str, *job) -> _Key:
    key = _Key(text)
    key.job = job
    return key


# One shared result per (store version, query, parameters) for every session. st.cache_resource rather than
# st.cache_data: a hit hands back the object instead of unpickling a copy (0.13 against 0.26–0.4 ms a query, 8–10
# queries a rerun, and no copy per session in memory). Callers get a shallow copy: with pandas' copy-on-write a
# page that adds or changes a column changes its own copy, never the shared frame.
# The key is the request's repr, one string: Streamlit hashes each argument it is given, element by element, which
# for six arguments (lists among the parameters) was a quarter of a rerun that found every result cached.
@st.cache_resource(max_entries=1024, ttl=3600, show_spinner=False)
def _run(key: _Key):
    path, identity, name, params, order, desc = key.job[0]
    return sql.run(_connection(path, identity), name, dict(params), order=order, descending=desc)


def _result(request: tuple) -> pd.DataFrame:
    return _run(_key(repr(request), request))


# What a page draws from a query's result (option lists, labels, tables to show, figures), shaped once per result
# and shared like it: pandas on every rerun was most of what a warm rerun added to its floor (evaldash/shaping.py).
@st.cache_resource(max_entries=1024, ttl=3600, show_spinner=False)
def _shaped(key: _Key):
    shape, request, args = key.job
    return shape(_result(request), *args)


def _freeze(value):
    return tuple(value) if isinstance(value, list) else value


def _request(name: str, params: dict | None, order: str | None = None, descending: bool = False) -> tuple:
    db, ident = st.session_state.get("_store") or current_store()
    frozen = tuple(sorted((k, _freeze(v)) for k, v in (params or {}).items()))
    return (str(db), ident, name, frozen, order, descending)


def _store_replaced():
    # This run has drawn data of the version it started with; a build replaced the file and this query's result
    # is not cached. Draw the whole page again from the new file rather than mix the two versions on one page.
    st.session_state.pop("_store", None)
    st.rerun()


def query(name: str, params: dict | None = None, order: str | None = None, descending: bool = False) -> pd.DataFrame:
    """Run a named query on the current store; results are cached per store version."""
    try:
        request = _request(name, params, order, descending)
        return _result(request).copy(deep=False)
    except StoreReplaced:
        _store_replaced()


_PLAIN = (str, int, float, bool, type(None))


def _plain(value) -> bool:
    return isinstance(value, _PLAIN) or (isinstance(value, tuple) and all(_plain(v) for v in value))


def shaped(shape, name: str, params: dict | None = None, *args, order: str | None = None, descending: bool = False):
    """`shape(result, *args)` of a named query, computed once per store version, query, parameters and args and
    shared by every session, as the result is: what a page draws (option lists, labels, rows, tables to show,
    figures) shaped once, where pandas would shape it again on every rerun.

    `shape` is a module-level function (its name is the key); `args` are plain values (text, numbers, tuples of
    them), whose repr is the key. The value is shared: read it, never change it.
    """
    if not callable(shape) or "<" in shape.__qualname__:  # a lambda or a nested function has no stable name
        raise ValueError(f"ui.shaped takes a module-level function, not {shape!r}")
    if not all(_plain(a) for a in args):
        raise ValueError("ui.shaped takes plain values as args (text, numbers, tuples of them)")
    try:
        request = _request(name, params, order, descending)
        return _shaped(_key(repr((shape.__module__, shape.__qualname__, request, args)), shape, request, args))
    except StoreReplaced:
        _store_replaced()


def _rows_of(frame: pd.DataFrame, columns: tuple[str, ...]) -> list:
    return shaping.rows(frame, *columns)


def query_rows(name: str, params: dict | None = None, *columns: str) -> list:
    """`shaping.rows()` of a named query's result, made once per result and shared: read them, never change them."""
    return shaped(_rows_of, name, params, columns)


def _frame_digest(frame: pd.DataFrame) -> bytes:
    """A key from a frame's content: column names and types, then each column's (and the index's) values.

    The values are hashed as they are held, without conversion: an Arrow-backed column's buffers, a NumPy
    column's bytes. pa.Table.from_pandas (the previous key) wrote pandas metadata as JSON for every frame:
    0.6 ms a chart on a warm rerun, against 0.3 ms here (bench/figures.py); 施策カード draws one chart an indicator.
    Not a pickle: a shallow copy pickles differently from its original (pandas' internal flags).
    """
    h = hashlib.blake2b(digest_size=16)
    h.update(repr((list(frame.columns), [str(t) for t in frame.dtypes], frame.shape)).encode())
    index = frame.index
    if isinstance(index, pd.RangeIndex):
        h.update(repr((index.start, index.stop, index.step, index.name)).encode())
    else:
        _hash_values(h, index)
    for _, column in frame.items():
        _hash_values(h, column)
    return h.digest()


def _hash_values(h, values: pd.Series | pd.Index) -> None:
    h.update(repr((str(values.dtype), len(values))).encode())
    array = values.array
    if hasattr(array, "__arrow_array__"):
        arrow = array.__arrow_array__()
        for chunk in getattr(arrow, "chunks", [arrow]):
            buffers = chunk.buffers()
            # Offset, length and each buffer's size: buffers alone could be split differently for other values.
            sizes = [-1 if b is None else b.size for b in buffers]
            h.update(repr((str(chunk.type), chunk.offset, len(chunk), sizes)).encode())
            for b in buffers:
                if b is not None:
                    h.update(b)
    elif values.dtype.kind in "biufcmM":
        h.update(np.ascontiguousarray(values.to_numpy()).view(np.uint8))
    else:  # Python objects: their reprs
        h.update(repr(values.tolist()).encode())


@st.cache_resource(max_entries=512, ttl=3600, show_spinner=False, hash_funcs={pd.DataFrame: _frame_digest})
def _figure(builder: str, args: tuple, options: tuple):
    from . import charts

    return getattr(charts, builder)(*args, **dict(options))


def figure(builder, *args, **options):
    """`charts.<builder>(*args, **options)`, built once per distinct input and shared by every session.

    A rerun that does not change the data (a table sort, another tab) would build the same figure again: 0.8–3.5 ms
    for the pages' charts, against ~0.5 ms for finding it here (the key hashes the inputs' content, ~0.3 ms a frame:
    bench/figures.py). The key is the content of the inputs (small frames: the page's query results), so a new store
    or another filter builds a new figure. The figure is shared: draw it, never change it (st.plotly_chart serialises
    a copy).
    """
    from . import charts

    if getattr(charts, builder.__name__, None) is not builder:  # the key is the name: it must name this function
        raise ValueError(f"ui.figure draws builders of evaldash.charts, not {builder!r}")
    return _figure(builder.__name__, args, tuple(sorted(options.items())))


def connection():
    """A connection for a download: the run's store version, or the current one if it was replaced."""
    db, ident = st.session_state.get("_store") or current_store()
    for _ in range(5):
        try:
            return _connection(str(db), ident)
        except StoreReplaced:
            ident = store.store_identity(db)
    return _connection(str(db), ident)


# --- text --------------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=])")


def md_escape(text: str | None) -> str:
    """Report text shown through st.markdown must show as written: no links, images or markup."""
    if not text:
        return ""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def badge_text(text: str | None) -> str:
    """st.badge escapes brackets itself; the inline marks it still reads are escaped here."""
    return re.sub(r"([*_~`$:\\])", r"\\\1", text or "")


def clean_search(text: str | None) -> str:
    """Search box and URL text: no control characters, bounded length."""
    if not text:
        return ""
    text = "".join(ch for ch in unicodedata.normalize("NFKC", str(text)) if unicodedata.category(ch)[0] != "C")
    return text.strip()[:MAX_SEARCH]


def show_findings(findings: list[Finding], headline: str) -> None:
    errors = [f for f in findings if f.severity == "error"]
    box = st.error if errors else st.warning
    lines = [f"{f.file}:{f.line}: {'エラー' if f.severity == 'error' else '注意'}: {f.message}" for f in findings[:50]]
    more = f"\n… ほか {len(findings) - 50} 件" if len(findings) > 50 else ""
    box(md_escape(headline))
    st.code("\n".join(lines) + more, language=None, wrap_lines=True)


def caption(text: str) -> None:
    """A caption that may carry report or user text: shown as written."""
    st.caption(md_escape(text))


def page_header(title: str) -> None:
    """Title, then what the filter selects and where the data comes from."""
    st.title(title)
    f = filters()
    caption(f"{f.describe(st.session_state['_policy_names'], st.session_state['_reflection_labels'])}　|　{source_caption()}")


def empty_notice(message: str = EMPTY_MESSAGE) -> None:
    st.info(message, icon=":material/search_off:")


# --- URL state ---------------------------------------------------------------------------------

def _url_list(key: str) -> list[str]:
    values = st.query_params.get_all(key)
    out: list[str] = []
    for v in values:
        out.extend(p for p in str(v).split(",") if p)
    return out


def seed_from_url(widget_key: str, url_key: str, options: list, parse=str, multi: bool = True, default=None):
    """Put the URL's value into a widget's state once per session (a shared link opens that view)."""
    seeded = st.session_state.setdefault("_seeded", set())
    # Streamlit drops a widget's state when a run does not draw it (another page): seed again then.
    if widget_key in seeded and widget_key in st.session_state:
        return
    seeded.add(widget_key)
    raw = _url_list(url_key) if multi else ([st.query_params.get(url_key)] if url_key in st.query_params else [])
    values = []
    for r in raw:
        try:
            v = parse(r)
        except (TypeError, ValueError):
            v = None
        if v is not None and (options is None or v in options):
            values.append(v)
        else:  # an unknown or malformed value is dropped, never an error, and said so once
            st.session_state.setdefault("_ignored_url", []).append(f"{url_key}={clean_search(r)[:30]}")
    if multi:
        st.session_state[widget_key] = list(dict.fromkeys(values))
    elif values:
        st.session_state[widget_key] = values[0]
    elif default is not None:
        st.session_state[widget_key] = default


def keep_valid(widget_key: str, options: list) -> None:
    """Drop chosen values that the options no longer offer (another filter narrowed them)."""
    chosen = st.session_state.get(widget_key)
    if isinstance(chosen, list) and any(v not in options for v in chosen):
        st.session_state[widget_key] = [v for v in chosen if v in options]


def write_url(values: dict[str, object]) -> None:
    """Mirror the view state into the URL, dropping empty values so links stay short."""
    for key, value in values.items():
        if value in (None, "", [], ()):
            if key in st.query_params:
                del st.query_params[key]
            continue
        encoded = ",".join(str(v) for v in value) if isinstance(value, (list, tuple)) else str(value)
        if st.query_params.get(key) != encoded:
            st.query_params[key] = encoded


def view_params() -> dict[str, str]:
    """The current filters as URL parameters, for links to other pages."""
    return {k: v for k, v in st.session_state.get("_filter_url", {}).items() if v}


def page_link(page: str, label: str, icon: str | None = None, **extra) -> None:
    st.page_link(PAGE_FILES[page], label=label, icon=icon, query_params={**view_params(), **extra})


def measure_link(measure_id: str, municipality: str | None = None, label: str | None = None) -> None:
    params = {"measure": measure_id}
    if municipality:
        params["m"] = municipality
    page_link("card", label or f"施策 {measure_id} のカードを開く", icon=":material/description:", **params)


# --- the shared sidebar ------------------------------------------------------------------------

@dataclass
class Filters:
    muni: list[str]
    pol: list[int]
    dept: list[str]
    sec: list[str]
    refl: list[str]
    q: str
    several_munis: bool

    def params(self) -> dict:
        return {"muni": self.muni, "pol": self.pol, "dept": self.dept, "sec": self.sec, "refl": self.refl, "q": self.q}

    def describe(self, policy_names: dict[int, str], reflection_labels: dict[str, str]) -> str:
        parts = []
        if self.muni:
            parts.append("、".join(self.muni))
        if self.pol:
            parts.append("、".join(f"運営方針{p:02d} {policy_names.get(p, '')}".strip() for p in self.pol))
        if self.dept:
            parts.append("、".join(self.dept))
        if self.sec:
            parts.append("、".join(self.sec))
        if self.refl:
            parts.append("、".join(f"反映区分{r}" for r in self.refl))
        if self.q:
            parts.append(f"「{self.q}」を含む")
        return " / ".join(parts) if parts else "すべての施策"


def _reset_filters() -> None:
    # Assign the empty values: popping the keys would leave the chips drawn as chosen in the browser.
    for widget_key in FILTER_KEYS.values():
        st.session_state[widget_key] = "" if widget_key == "f_q" else []
    for url_key in FILTER_KEYS:
        if url_key in st.query_params:
            del st.query_params[url_key]


def presenting() -> bool:
    """Presentation mode: kept in the URL (?present=1) so a link opens straight into it."""
    return st.query_params.get("present") == "1"


def image_format() -> str:
    return st.session_state.get("f_img", "png")


def chart_config(filename: str) -> dict:
    from .charts import image_config

    return image_config(filename, image_format())


def sidebar(draw: bool = True) -> Filters:
    """The shared filter, drawn by the entry point on every page. Its state lives in the URL.

    With draw=False (presentation mode) nothing is drawn and the filter comes from the
    session, where the widgets persist it, or from the URL of a shared link.
    """
    st.session_state["_store"] = current_store()
    if not draw:
        return _silent_filters()
    munis = shaped(shaping.municipality_list, "municipalities")
    several = len(munis) > 1
    sb = st.sidebar
    sb.subheader("絞り込み")
    if several:
        seed_from_url("f_muni", "muni", munis)
        muni = sb.multiselect("自治体", munis, key="f_muni", placeholder="すべての自治体", persist_state="session")
    else:
        muni = []
    policy_names = shaped(shaping.policy_names, "policy_options", {"muni": muni})
    seed_from_url("f_pol", "pol", list(policy_names), parse=int)
    keep_valid("f_pol", list(policy_names))
    pol = sb.multiselect(
        "運営方針", list(policy_names), key="f_pol", placeholder="すべての運営方針", persist_state="session",
        format_func=lambda p: f"{p:02d} {policy_names.get(p, '')}",
    )
    sections_of = shaped(shaping.sections_by_department, "department_options", {"muni": muni, "pol": pol})
    dept_options = list(sections_of)
    seed_from_url("f_dept", "dept", dept_options)
    keep_valid("f_dept", dept_options)
    dept = sb.multiselect("担当部", dept_options, key="f_dept", placeholder="すべての部", persist_state="session")
    sec_options = list(dict.fromkeys(s for d in dept_options if not dept or d in dept for s in sections_of[d]))
    seed_from_url("f_sec", "sec", sec_options)
    keep_valid("f_sec", sec_options)  # a 課 of a 部 no longer chosen would filter to nothing
    sec = sb.multiselect("担当課", sec_options, key="f_sec", placeholder="すべての課" if not dept else "選んだ部のすべての課",
                         persist_state="session")
    refl_labels = shaped(shaping.reflection_labels, "reflection_options")
    seed_from_url("f_refl", "refl", list(refl_labels))
    refl = sb.pills(
        "反映区分", list(refl_labels), key="f_refl", selection_mode="multi", persist_state="session",
        format_func=lambda r: f"{r}：{refl_labels.get(r, '')}",
    ) or []
    seed_from_url("f_q", "q", None, parse=clean_search, multi=False, default="")
    q = clean_search(sb.text_input("キーワード検索", key="f_q", max_chars=MAX_SEARCH, persist_state="session",
                                   placeholder="例: 女性、平和、協定", help="施策の目的・取組・指標名から探します"))
    sb.button("絞り込みを解除", on_click=_reset_filters, icon=":material/restart_alt:", width="stretch")
    url = {"muni": muni, "pol": pol, "dept": dept, "sec": sec, "refl": refl, "q": q}
    st.session_state["_filter_url"] = {k: ",".join(map(str, v)) if isinstance(v, list) else v for k, v in url.items()}
    write_url(url)
    sb.caption("URL に絞り込みが入ります。アドレスをコピーすると同じ表示を共有できます。")
    ignored = st.session_state.get("_ignored_url", [])
    if ignored:
        sb.caption(md_escape("開いたリンクの次の値は見つからないため使いませんでした: " + "、".join(ignored)))
    seed_from_url("f_img", "img", list(IMAGE_FORMATS), multi=False, default="png")
    sb.segmented_control("グラフ画像の保存形式", list(IMAGE_FORMATS), key="f_img", required=True, persist_state="session",
                         format_func=IMAGE_FORMATS.get, help="グラフ右上のカメラのボタンで保存する画像の形式（PNG は2倍の解像度）")
    write_url({"img": None if st.session_state["f_img"] == "png" else st.session_state["f_img"]})
    st.session_state["_policy_names"] = policy_names
    st.session_state["_reflection_labels"] = refl_labels
    return Filters(muni, pol, dept, sec, refl, q, several)


def _silent_filters() -> Filters:
    munis = shaped(shaping.municipality_list, "municipalities")
    st.session_state.setdefault("_policy_names", shaped(shaping.policy_names, "policy_options"))
    st.session_state.setdefault("_reflection_labels", shaped(shaping.reflection_labels, "reflection_options"))
    for url_key, widget_key in FILTER_KEYS.items():
        if url_key == "q":
            seed_from_url(widget_key, url_key, None, parse=clean_search, multi=False, default="")
        else:
            seed_from_url(widget_key, url_key, None, parse=int if url_key == "pol" else str)
    get = st.session_state.get
    values = {k: get(w) or ([] if k != "q" else "") for k, w in FILTER_KEYS.items()}
    st.session_state["_filter_url"] = {k: ",".join(map(str, v)) if isinstance(v, list) else v for k, v in values.items()}
    return Filters(values["muni"], values["pol"], values["dept"], values["sec"], values["refl"], values["q"],
                   len(munis) > 1)


def filters() -> Filters:
    require_entry_point()
    return st.session_state["_filters"]


def source_caption() -> str:
    """「出典: 苫小牧市 施策評価表 R1年度」 from the data, for the selected municipalities."""
    return shaped(shaping.source_caption, "source_labels", {"muni": filters().muni})

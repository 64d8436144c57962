"""The URL as the view's state: one table of the widgets a link carries, read by the sidebar and every page.

A page names a URL-bound widget once, `key=url.bind("tr_mode", options)`: the link's value seeds the widget once
a session, a value its options no longer offer is dropped, and the widget's value goes back into the URL. Values
are short codes (pol=3, mode=index), not the labels the widgets show. Streamlit's own bind="query-params" is not
used: it names the parameter by the widget's key, drops a value it cannot use without saying so, and a list
would not stay one comma-separated parameter as the links already shared are written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import streamlit as st

from ..filters import clean_search


def _percent(value: str) -> int:
    number = float(value)  # "inf", "nan" and 1e400 are not a threshold: dropped like any malformed value
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(value)
    return max(0, min(500, int(number)))


def _int(value: str) -> int:
    """A whole number the store's INTEGER columns can hold (a longer one in a link is malformed, not an error)."""
    number = int(value)
    if not -(2**31) <= number < 2**31:
        raise ValueError(value)
    return number


@dataclass(frozen=True)
class Param:
    name: str  # in the URL
    parse: Callable[[str], object] = str
    default: object = None  # None: a list of values, comma-separated in the URL, empty by default


# widget key -> its URL parameter. README's table of URL parameters documents each (tests/test_docs.py).
PARAMS = {
    "f_muni": Param("muni"),
    "f_pol": Param("pol", _int),
    "f_dept": Param("dept"),
    "f_sec": Param("sec"),
    "f_refl": Param("refl"),
    "f_q": Param("q", clean_search, ""),
    "f_img": Param("img", str, "png"),
    "ch_min": Param("min", _percent, 0),
    "ch_sort": Param("sort", str, "abs_delta_pct"),
    "tr_ind": Param("ind"),
    "tr_mode": Param("mode", str, "absolute"),
    "tr_kind": Param("kind", str, "line"),
    "tr_era": Param("era", str, "wareki"),
    "tr_slide": Param("slide", _int, 1),
}


def _from_url(p: Param, options, parse, quiet: bool = False) -> list:
    if p.default is None:
        raw = [part for v in st.query_params.get_all(p.name) for part in str(v).split(",") if part]
    else:
        raw = [st.query_params[p.name]] if p.name in st.query_params else []
    values = []
    for r in raw:
        try:
            v = parse(r)
        except (TypeError, ValueError, OverflowError):
            v = None
        if v is not None and (options is None or v in options):
            values.append(v)
        elif not quiet:  # an unknown or malformed value is dropped, never an error, and said so once
            st.session_state.setdefault("_ignored_url", []).append(f"{p.name}={clean_search(r)[:30]}")
    return values


def _seed(key: str, p: Param, options, parse) -> None:
    """Put the URL's value into the widget's state once per session (a shared link opens that view)."""
    seeded = st.session_state.setdefault("_seeded", set())
    # Streamlit drops a widget's state when a run does not draw it (another page): seed again then.
    if key in seeded and key in st.session_state:
        return
    seeded.add(key)
    values = _from_url(p, options, parse)
    if p.default is None:
        st.session_state[key] = list(dict.fromkeys(values))
    else:
        st.session_state[key] = values[0] if values else p.default


def encode(value) -> str:
    return ",".join(str(v) for v in value) if isinstance(value, (list, tuple)) else str(value)


def write(name: str, value) -> None:
    """Put a value into the URL, or take the parameter out for an empty one so that links stay short."""
    if value in (None, "", [], ()):
        st.query_params.pop(name, None)
    elif st.query_params.get(name) != encode(value):
        st.query_params[name] = encode(value)


def bind(key: str, options: list | None = None, parse: Callable | None = None) -> str:
    """Tie the widget `key` to its URL parameter (PARAMS) and return the key for the widget's `key=`.

    `options` are the values the widget offers now (None: any); `parse` replaces the table's for values that
    need them (an indicator named by an older link).
    """
    p = PARAMS[key]
    _seed(key, p, options, parse or p.parse)
    value = st.session_state[key]
    if options is not None and p.default is None and any(v not in options for v in value):
        value = st.session_state[key] = [v for v in value if v in options]  # another filter narrowed the options
    elif options is not None and p.default is not None and value not in options:
        value = st.session_state[key] = p.default
    if p.parse is clean_search:
        value = clean_search(value)
    write(p.name, None if value == p.default else value)
    return key


def peek(key: str):
    """A URL-bound widget's value as this run starts, before it is drawn: its state, else the link's value (not
    yet checked against the options, which bind does when the widget is drawn)."""
    if key in st.session_state:
        return st.session_state[key]
    p = PARAMS[key]
    values = _from_url(p, None, p.parse, quiet=True)
    if p.default is None:
        return list(dict.fromkeys(values))
    return values[0] if values else p.default


def ignored() -> list[str]:
    """The values of the link this session opened that no widget could use."""
    return st.session_state.get("_ignored_url", [])

"""The URL as the view's state: one table of the widgets a link carries, read by the sidebar and every page.

A page names a URL-bound widget once, `key=url.bind("tr_mode", options)`: the link's value seeds the widget once
a session, a value its options no longer offer is dropped, and the widget's value goes back into the URL. Values
are short codes (pol=3, mode=index), not the labels the widgets show. Streamlit's own bind="query-params" is not
used: it names the parameter by the widget's key, drops a value it cannot use without saying so, and a list
would not stay one comma-separated parameter as the links already shared are written.

The address is written once a run, at its end (`flush`, called by the entry point): each change of st.query_params
makes the browser add a history entry, so writing parameter by parameter would leave intermediate addresses that
Back steps through. And the address wins when it changed outside the app (Back, Forward, a link): its values seed
the widgets again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from ..filters import clean_search


def _percent(value: str) -> int:
    # int() refuses "inf", "nan" and 1e400: not a threshold, dropped like any malformed value.
    return max(0, min(500, int(float(value))))


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


def _held(p: Param, values: list):
    """A link's values as the widget holds them: a list without repeats, or the first (else the default)."""
    return list(dict.fromkeys(values)) if p.default is None else values[0] if values else p.default


def encode(value) -> str:
    return ",".join(str(v) for v in value) if isinstance(value, (list, tuple)) else str(value)


def write(name: str, value) -> None:
    """Put a value into the URL at the end of the run, or take the parameter out for an empty one so that links
    stay short."""
    st.session_state.setdefault(_PENDING, {})[name] = None if value in (None, "", [], ()) else encode(value)
    ctx = get_script_run_ctx()
    if ctx is not None and ctx.fragment_ids_this_run:  # a fragment's rerun has no end of the page: write now
        flush()


_PENDING = "_url_pending"  # this run's values for the address, written by flush()
_LAST = "_url_last"  # the URL-bound parameters as the last run left the address


def _bound_in_url() -> dict[str, list[str]]:
    return {p.name: st.query_params.get_all(p.name) for p in PARAMS.values() if p.name in st.query_params}


def flush() -> None:
    """Write this run's values into the address in one change: one history entry at most."""
    pending = st.session_state.pop(_PENDING, {})
    now = {k: st.query_params.get_all(k) for k in st.query_params}
    wanted = {k: v for k, v in now.items() if k not in pending or pending[k] is not None}
    wanted.update({k: [v] for k, v in pending.items() if v is not None})
    if wanted != now:
        st.query_params.from_dict(wanted)
    st.session_state[_LAST] = _bound_in_url()


def stop() -> None:
    """st.stop() for a page: the address written first."""
    flush()
    st.stop()


def follow_address() -> None:
    """At the start of a run: a parameter the address changed since the last run (Back, Forward, a link) seeds
    its widget again, so the view is the one the address names."""
    st.session_state.pop(_PENDING, None)
    last = st.session_state.get(_LAST)
    if last is None:
        return
    now = _bound_in_url()
    changed = (key for key, p in PARAMS.items() if now.get(p.name) != last.get(p.name))
    st.session_state.get("_seeded", set()).difference_update(changed)


def bind(key: str, options: list | None = None, parse: Callable | None = None) -> str:
    """Tie the widget `key` to its URL parameter (PARAMS) and return the key for the widget's `key=`.

    `options` are the values the widget offers now (None: any); `parse` replaces the table's for values that
    need them (an indicator named by an older link).
    """
    p = PARAMS[key]
    seeded = st.session_state.setdefault("_seeded", set())
    # The URL's value goes into the widget's state once a session (a shared link opens that view), and again when
    # Streamlit dropped the state because a run did not draw the widget (another page).
    if key not in seeded or key not in st.session_state:
        seeded.add(key)
        st.session_state[key] = _held(p, _from_url(p, options, parse or p.parse))
    value = st.session_state[key]
    if p.default is None:
        # Held as the options themselves: the browser sends a choice back as its label, which the sidebar's counts
        # change from run to run (「03 地域活動の促進（12）」), and a label no option has any more would come back as text.
        value = st.session_state[key] = [v for v in value if options is None or v in options]
    elif options is not None and value not in options:
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
    return _held(p, _from_url(p, None, p.parse, quiet=True))


def ignored() -> list[str]:
    """The values of the link this session opened that no widget could use."""
    return st.session_state.get("_ignored_url", [])

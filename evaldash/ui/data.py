"""Data for the pages, two ways: a named query's result, or a shaped view of it (evaldash.shaping: option lists,
labels, tables to show, figures). Both are computed once per store version and request, and shared by every
session."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pandas as pd
import streamlit as st

from .. import access, provenance, sql, store
from ..report import Finding
from .text import show_findings


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


@st.cache_data(max_entries=4, show_spinner=False)
def _refresh(fingerprint: str, db: str, may_build: bool, _who: str) -> tuple[list[Finding], str]:
    """Bring the store up to date once per state of its sources (the cheap stat fingerprint): a failure or a
    note is remembered, so reruns neither retry a broken build nor hash the sources again."""
    folder = os.environ.get("EVALDASH_REPORTS")  # a folder the operator named; else the store's own
    try:
        fresh = store.ensure_store(Path(folder) if folder else None, Path(db), may_build=may_build,
                                   fallback=store.reports_dir(), who=_who)
    except store.BuildError as exc:
        return exc.findings, ""
    return [], fresh.note


def _may_build() -> bool:
    """Page views rebuild a stale store only where this server may write the data: never in read-only (configured,
    or open mode on an address others reach) nor on a replica that cannot write the data folder."""
    return page_access().mode != "read-only" and access.data_writable(store.reports_dir(), store.db_path())


def server_address() -> str | None:
    """The address this server listens on (server.address): editing without sign-in needs loopback."""
    return st.get_option("server.address")


def identity() -> dict:
    """The person asking, as access reads it: st.user (st.login, or a trusted proxy's headers)."""
    return st.user.to_dict()


def page_access() -> access.Access:
    """What the person of this run may do here, decided afresh on every run from the settings."""
    return access.access_now(identity(), server_address(), store.reports_dir(), store.db_path())


def actor() -> access.Actor:
    """The person of this run as the write functions receive it (they decide again themselves)."""
    return access.dashboard_actor(identity(), server_address())


def current_store() -> tuple[Path, tuple[int, int]]:
    """The store to read, rebuilt from its own folder first when its sources changed and this server may build."""
    db = store.db_path()
    ident = store.store_identity(db)
    try:
        meta = _store_meta(str(db), ident) if ident else {}
    except StoreReplaced:
        st.rerun()  # nothing drawn from the store yet: start again on the file that replaced it
    folder = provenance.recorded_folder(meta, db) or store.reports_dir()
    fp = store.fingerprint(folder)
    if ident and meta.get("fingerprint") == fp and meta.get("schema_version") == str(store.SCHEMA_VERSION):
        return db, ident
    with st.spinner("報告書からデータを作成しています…"):
        # The audit log names the person signed in as the cause of a rebuild a page view made, else "open".
        findings, note = _refresh(fp, str(db), _may_build(), access.signed_in_email(identity()) or "open")
    ident = store.store_identity(db)
    if findings:
        show_findings(findings, "報告書に誤りがあるため、データを更新できませんでした。")
        if ident is None:
            st.stop()
        st.caption("前回作成したデータを表示しています。")
    elif note:
        st.caption(note)
    return db, ident


# cache_resource: a hit is the dict itself, not an unpickled copy (every rerun asks); no caller changes it.
@st.cache_resource(max_entries=4, show_spinner=False)
def _store_meta(path: str, identity: tuple[int, int]) -> dict[str, str]:
    df = sql.run(_connection(path, identity), "store_info")
    return dict(zip(df["key"], df["value"]))


# The request (store path and version, query, parameters, order) is a tuple of plain values, and its repr is the
# key: Streamlit hashes a tuple element by element, several times slower than one string, and a rerun asks for
# many results; `_request`, with a leading underscore, is not hashed. The store version in the key means no result
# outlives its file. st.cache_resource rather than st.cache_data: a hit hands back the object instead of unpickling
# a copy (figures among them), and one copy in memory for every session. So the value is shared: query() hands out
# a shallow copy (with pandas' copy-on-write a page changing it changes its own), and a shaped view is read only.
@st.cache_resource(max_entries=1024, ttl=3600, show_spinner=False)
def _run(key: str, _request: tuple) -> pd.DataFrame:
    path, identity, name, params, order, desc = _request
    return sql.run(_connection(path, identity), name, dict(params), order=order, descending=desc)


def _result(request: tuple) -> pd.DataFrame:
    return _run(repr(request), request)


@st.cache_resource(max_entries=1024, ttl=3600, show_spinner=False)
def _shaped(key: str, _job: tuple):
    shape, request, args = _job
    return shape(_result(request), *args)


def clear() -> None:
    """Forget every cached result and shaped view (tests and benchmarks that start cold)."""
    for cached in (_store_meta, _run, _shaped):
        cached.clear()


def _request(name: str, params: dict | None, order: str | None, descending: bool) -> tuple:
    db, ident = st.session_state.get("_store") or current_store()
    frozen = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in (params or {}).items()))
    return (str(db), ident, name, frozen, order, descending)


def _on_store(get):
    try:
        return get()
    except StoreReplaced:
        # This run has drawn data of the version it started with; a build replaced the file and this request is
        # not cached. Draw the whole page again from the new file rather than mix the two versions on one page.
        st.session_state.pop("_store", None)
        st.rerun()


def query(name: str, params: dict | None = None) -> pd.DataFrame:
    """A named query's result on the current store (a shallow copy of the shared one: change it freely)."""
    return _on_store(lambda: _result(_request(name, params, None, False)).copy(deep=False))


def _plain(value) -> bool:
    return (isinstance(value, (str, int, float, bool, type(None)))
            or (isinstance(value, tuple) and all(_plain(v) for v in value)))


def shaped(shape, name: str, params: dict | None = None, *args, order: str | None = None, descending: bool = False):
    """`shape(result, *args)` of a named query: what a page draws, shaped once per result and shared like it.

    `shape` is a module-level function (its module and name are the key); `args` are plain values (text,
    numbers, tuples of them), whose repr is the key. The value is shared: read it, never change it.
    """
    module, qualname = getattr(shape, "__module__", None), getattr(shape, "__qualname__", "")
    if module is None or getattr(sys.modules.get(module), qualname, None) is not shape:
        raise ValueError(f"ui.shaped takes a module-level function, not {shape!r}")
    if not all(_plain(a) for a in args):
        raise ValueError("ui.shaped takes plain values as args (text, numbers, tuples of them)")

    def get():
        request = _request(name, params, order, descending)
        return _shaped(repr((module, qualname, request, args)), (shape, request, args))

    return _on_store(get)


def connection():
    """A connection for a download: the run's store version, or the current one if it was replaced."""
    db, ident = st.session_state.get("_store") or current_store()
    for _ in range(5):
        try:
            return _connection(str(db), ident)
        except StoreReplaced:
            ident = store.store_identity(db)
    return _connection(str(db), ident)

"""The bare floor of a page: draws the same widgets and charts, from precomputed data.

bench/pages_bench.py records every element call that a real page makes in one run
(name, sidebar or main, arguments: DataFrames, plotly figures, options) and writes the
list with pickle; this script replays it with no query, no data shaping and no chart
building. The page's rerun time over this floor is what our queries and logic add.
Layout containers (columns, tabs, expanders) are not replayed: their elements are drawn
in order in the main area. Callbacks and format functions are dropped.

Run by AppTest with BENCH_FLOOR_LOG naming the recorded list.
"""

import os
import pickle

import streamlit as st


@st.cache_resource(show_spinner=False)
def _load(path: str):
    with open(path, "rb") as fh:
        return pickle.load(fh)


st.set_page_config(page_title="floor", layout="wide")
for name, sidebar, args, kwargs in _load(os.environ["BENCH_FLOOR_LOG"]):
    target = st.sidebar if sidebar else st
    try:
        getattr(target, name)(*args, **kwargs)
    except st.errors.StreamlitAPIException:
        pass  # e.g. an argument that only made sense with its callback

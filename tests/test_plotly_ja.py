"""The Japanese plotly dictionary matches the plotly.js that Streamlit draws charts with.

plotly.js looks its English strings up verbatim; a key that no longer occurs in the bundle would leave
that text in English without any error, so each key is checked against the bundle itself.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from evaldash import plotly_ja

STATIC = Path(importlib.util.find_spec("streamlit").origin).parent / "static" / "static" / "js"


def plotly_bundle() -> str:
    bundles = [p for p in STATIC.glob("PlotlyChart*.js") if "Download plot as a PNG" in p.read_text(encoding="utf-8")]
    assert len(bundles) == 1, bundles
    return bundles[0].read_text(encoding="utf-8")


BUNDLE = plotly_bundle()
# Strings the bundle passes to plotly.js's localize function `_(gd, "...")` (minified: any short name).
LOCALIZED = set(re.findall(r"\b[\w$]{1,3}\([\w$.]{1,8},`([^`$]+)`\)", BUNDLE))


@pytest.mark.parametrize("key", sorted(plotly_ja.DICTIONARY))
def test_every_key_is_a_string_plotly_localizes(key):
    assert key in LOCALIZED


# The toolbar buttons' titles: `title: function(gd) { return _(gd, "Zoom"); }` (PNG download: see DICTIONARY).
MODEBAR_TITLES = re.findall(r"title:function\(\w\)\{return [\w$]{1,3}\(\w,`([^`]+)`\)", BUNDLE)


def test_every_toolbar_title_is_translated():
    assert len(MODEBAR_TITLES) > 10  # the pattern still finds the toolbar's buttons
    missing = sorted(set(MODEBAR_TITLES) - set(plotly_ja.DICTIONARY) - {"Share chart..."})  # Streamlit removes it
    assert missing == []


def test_the_dictionary_is_japanese_and_the_formats_complete():
    assert all(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", text) for text in plotly_ja.DICTIONARY.values()
               if not text.startswith("JSON"))
    format_keys = re.search(r"var \w=\[(`days`[^\]]+)\],\w=\[(`year`[^\]]+)\]", BUNDLE)
    assert format_keys, "plotly.js's list of locale format keys"
    expected = re.findall(r"`(\w+)`", format_keys.group(1) + format_keys.group(2))
    assert sorted(plotly_ja.FORMAT) == sorted(expected)
    assert plotly_ja.CONFIG == {"locale": "ja", "locales": {"ja": {"dictionary": plotly_ja.DICTIONARY,
                                                                   "format": plotly_ja.FORMAT}}}

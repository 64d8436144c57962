"""The README's walk-through leads where it says: each example keyword, typed into the search, puts first on 推移
the link to the 施策 card the README names."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from evaldash.ui import PAGE_FILES

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
JOURNEY = README.split("## Finding things")[1].split("\n## ")[0]
# A keyword in backticks, then (with no other code span between) the 施策 number its card link carries.
EXAMPLES = re.findall(r"`([^`/\s]+)`(?:(?!`).)*?施策 (\d{7}) のカードを開く", JOURNEY, flags=re.S)


def test_the_examples_are_found():
    assert ("女性人材", "1110321") in EXAMPLES
    assert any(measure == "1110421" for _, measure in EXAMPLES), "the 原爆 example names 原爆パネル展来場者数's card"


@pytest.mark.parametrize("keyword,measure", EXAMPLES)
def test_example_keyword_leads_to_the_card_it_names(open_page, keyword, measure):
    at = open_page(PAGE_FILES["trends"], q=keyword)
    cards = [parse_qs(link.proto.query_string) for link in at.get("page_link") if link.proto.page == "card"]
    assert cards, f"no 施策 card link for {keyword}"
    assert cards[0] == {"q": [keyword], "measure": [measure]}

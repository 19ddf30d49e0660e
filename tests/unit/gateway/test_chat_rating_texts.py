"""The rating form of an ended chat names its texts by area (templates/chat_rating.html): they all exist."""

from __future__ import annotations

import re
from importlib.resources import files

import pytest

from gateway.web.texts import for_area

TEMPLATE = files("gateway.web").joinpath("templates", "chat_rating.html").read_text()


def test_the_template_names_the_keys_this_test_checks() -> None:
    suffixes = set(re.findall(r"""t\(texts ~ "(_\w+)"\)""", TEMPLATE))
    assert suffixes == {"_ask", "_comment", "_send", "_pick", "_thanks"}
    assert 't(texts ~ "_" ~ score)' in TEMPLATE and "range(1, 6)" in TEMPLATE


@pytest.mark.parametrize(("area", "texts"), [("widget", "widget_rate"), ("portal", "portal_rate")])
@pytest.mark.parametrize("language", ["pt-BR", "en"])
def test_each_page_using_the_form_carries_its_words(area: str, texts: str, language: str) -> None:
    carried = for_area(language, area)
    keys = [f"{texts}{suffix}" for suffix in ("_ask", "_comment", "_send", "_pick", "_thanks")]
    keys += [f"{texts}_{score}" for score in range(1, 6)]
    assert [key for key in keys if not carried.get(key, "").strip()] == []

"""Every word the web pages show, in Brazilian Portuguese first and English second.

Each area keeps its own module of ``key: (pt-BR, en)``; pages and their scripts read one merged
catalogue. A key defined twice is a mistake, refused at import.
"""

from __future__ import annotations

from functools import cache

from gateway.domain.language import ENGLISH
from gateway.web.texts import common, console, console_chat, insights, portal, widget

_AREAS = (common.TEXTS, portal.TEXTS, widget.TEXTS, console.TEXTS, console_chat.TEXTS, insights.TEXTS)


def _merged() -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for area in _AREAS:
        twice = merged.keys() & area.keys()
        if twice:
            raise ValueError(f"web texts defined twice: {sorted(twice)}")
        merged |= area
    return merged


TEXTS = _merged()


# Each area's keys start with its name; the rest (layout, log-in, files…) every page shares.
AREAS = ("portal", "widget", "console")


@cache
def catalogue(language: str) -> dict[str, str]:
    """Every text in one language (pt-BR unless ``language`` is English)."""
    index = 1 if language == ENGLISH else 0
    return {key: pair[index] for key, pair in TEXTS.items()}


@cache
def for_area(language: str, area: str | None) -> dict[str, str]:
    """The shared texts and those of one area (``console`` includes ``console_chat``): what its pages need."""
    return {
        key: text
        for key, text in catalogue(language).items()
        if not key.startswith(tuple(f"{a}_" for a in AREAS)) or (area and key.startswith(f"{area}_"))
    }

"""The pages' plumbing: safe redirects, the language choice and the texts catalogue."""

from __future__ import annotations

import re
from importlib.resources import files

import pytest
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from gateway.middleware import LanguageMiddleware
from gateway.web.rendering import local_path, page_language
from gateway.web.texts import AREAS, TEXTS, catalogue, for_area


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\t/evil.example",
        "/\n/evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
        "tickets",
        "",
        None,
    ],
)
def test_only_paths_of_this_site_are_followed(target: str | None) -> None:
    assert local_path(target, "/home") == "/home"


@pytest.mark.parametrize(
    "target", ["/tickets", "/tickets/42?x=1", "/verify-email#token=abc", "/console/chats"]
)
def test_local_paths_are_kept(target: str) -> None:
    assert local_path(target, "/home") == target


async def _language_seen(cookie: str = "", accept: str = "", query: str = "") -> str:
    """The page language a request ends up with after LanguageMiddleware."""
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(page_language(Request(scope)))

    headers = [(b"cookie", cookie.encode()), (b"accept-language", accept.encode())]
    scope = {"type": "http", "method": "GET", "path": "/", "headers": headers, "query_string": query.encode()}
    await LanguageMiddleware(app)(scope, None, None)  # type: ignore[arg-type]
    return seen[0]


async def test_the_visitors_choice_outranks_the_browser_and_portuguese_is_the_default() -> None:
    assert await _language_seen() == "pt-BR"
    assert await _language_seen(accept="en-US,en;q=0.9") == "en"
    assert await _language_seen(cookie="atende_lang=pt-BR", accept="en-US") == "pt-BR"
    assert await _language_seen(accept="pt-BR", query="embed=1&lang=en") == "en", "a framed widget asks"
    assert await _language_seen(cookie="atende_lang=pt-BR", query="lang=en") == "pt-BR", "the switch wins"
    assert await _language_seen(cookie="atende_lang=fr", accept="en", query="lang=de") == "en"


def test_every_text_exists_in_both_languages() -> None:
    missing = [key for key, (pt, en) in TEXTS.items() if not pt.strip() or not en.strip()]
    assert missing == []
    assert catalogue("en")["log_in"] == "Log in" and catalogue("pt-BR")["log_in"] == "Entrar"


def test_every_text_a_template_names_exists() -> None:
    named: set[str] = set()
    for template in files("gateway.web").joinpath("templates").rglob("*.html"):  # type: ignore[attr-defined]
        named |= set(re.findall(r"""\bt\(\s*["']([a-z0-9_]+)["']\s*\)""", template.read_text()))
    assert named, "the pattern finds the templates' texts"
    assert sorted(named - TEXTS.keys()) == []


def test_every_text_a_script_names_exists() -> None:
    named: set[str] = set()
    for script in files("gateway.web").joinpath("static").rglob("*.js"):  # type: ignore[attr-defined]
        named |= set(re.findall(r"""\bt\(\s*["']([a-z0-9_]+)["']\s*\)""", script.read_text()))
    assert named, "the pattern finds the scripts' texts"
    assert sorted(named - TEXTS.keys()) == []


def test_each_areas_scripts_name_only_texts_their_pages_carry() -> None:
    for script in files("gateway.web").joinpath("static").rglob("*.js"):  # type: ignore[attr-defined]
        # support.js is served by the widget's route, which puts the widget's button texts in it.
        area = next(
            (a for a in AREAS if script.name.startswith(a)), "widget" if script.name == "support.js" else None
        )
        named = set(re.findall(r"""\bt\(\s*["']([a-z0-9_]+)["']\s*\)""", script.read_text()))
        assert sorted(named - for_area("pt-BR", area).keys()) == [], script.name

"""Request middleware: a correlation id into logs, NATS and the response; the language switch."""

from __future__ import annotations

import re
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from plumbing.logging import CORRELATION_HEADER, correlation

_HEADER = CORRELATION_HEADER.lower().encode()
# The language switch's cookie (gateway.web.pages sets it) and the two languages.
LANGUAGE_COOKIE, _LANGUAGES = b"atende_lang", (b"pt-BR", b"en")
# Accept a caller's id only if it is a harmless token; otherwise start a new one.
_SAFE = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")


class CorrelationMiddleware:
    """Pure ASGI middleware (works for HTTP and WebSocket alike)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        given = ""
        for name, value in scope.get("headers") or ():
            if name == _HEADER:
                given = value.decode("latin-1")  # the last one wins, as in a dict of the headers
        with correlation(given if _SAFE.match(given) else None, path=scope.get("path")) as cid:

            async def send_with_id(message: Message) -> None:
                if message["type"] == "http.response.start":
                    message.setdefault("headers", []).append((_HEADER, cid.encode()))
                await send(message)

            await self.app(scope, receive, send_with_id)


class LanguageMiddleware:
    """The visitor's chosen language outranks the browser's Accept-Language, for pages, API answers and
    sockets alike: the site's switch (a cookie), else a ``lang`` query parameter (a framed widget,
    whose cookies stay home, or a socket, which cannot set headers)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in {"http", "websocket"}:
            chosen = _language_cookie(scope.get("headers") or ()) or _language_asked(
                scope.get("query_string")
            )
            if chosen:
                headers = [(k, v) for k, v in scope["headers"] if k != b"accept-language"]
                scope = {**scope, "headers": [*headers, (b"accept-language", chosen)]}
        await self.app(scope, receive, send)


def _language_cookie(headers: Iterable[tuple[bytes, bytes]]) -> bytes | None:
    """pt-BR or en when the request carries the switch's cookie."""
    for name, value in headers:
        if name == b"cookie":
            for part in value.split(b";"):
                key, _, chosen = part.strip().partition(b"=")
                if key == LANGUAGE_COOKIE and chosen in _LANGUAGES:
                    return chosen
    return None


def _language_asked(query: bytes | None) -> bytes | None:
    """pt-BR or en when the query string says ``lang=`` one of them."""
    for part in (query or b"").split(b"&"):
        key, _, chosen = part.partition(b"=")
        if key == b"lang" and chosen in _LANGUAGES:
            return chosen
    return None

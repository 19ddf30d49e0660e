"""Every HTTP request carries a correlation id into logs and NATS, and back in the response."""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from plumbing.logging import CORRELATION_HEADER, correlation

_HEADER = CORRELATION_HEADER.lower().encode()
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

"""Staff sockets by the credential that opened them: logging out closes them (1008), and so does an
ended credential.

A log-out on this replica closes its sockets at once. One ended elsewhere (on another replica, by a
password reset, a revoked token, or expiry) is noticed by each socket's own re-check, every
``RECHECK_S``: the accounts' database is what every replica shares.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator

from starlette.websockets import WebSocket, WebSocketState

from gateway.accounts.credentials import digest

RECHECK_S = 30.0
CLOSED_REASON = "logged out, or the credential ended"


async def close(websocket: WebSocket) -> None:
    """Close with 1008 (policy violation), as a socket refused at the start is."""
    if websocket.application_state is WebSocketState.CONNECTED:
        with contextlib.suppress(RuntimeError, OSError):
            await websocket.close(code=1008, reason=CLOSED_REASON)


class SocketLogins:
    """This process's live staff sockets, by the digest of their credential."""

    def __init__(self) -> None:
        self._sockets: dict[bytes, set[WebSocket]] = {}

    @contextlib.contextmanager
    def held(self, secret: str, websocket: WebSocket) -> Iterator[None]:
        """Remember ``websocket`` as opened with ``secret`` while the block runs."""
        key = digest(secret)
        self._sockets.setdefault(key, set()).add(websocket)
        try:
            yield
        finally:
            held = self._sockets.get(key, set())
            held.discard(websocket)
            if not held:
                self._sockets.pop(key, None)

    async def ended(self, secret: str) -> None:
        """The credential ended here (a log-out): close its sockets now."""
        for websocket in list(self._sockets.get(digest(secret), ())):
            await close(websocket)


async def watch(websocket: WebSocket, live: Callable[[], Awaitable[bool]]) -> None:
    """Close the socket once ``live()`` says its credential ended (checked every RECHECK_S)."""
    while True:
        await asyncio.sleep(RECHECK_S)
        with contextlib.suppress(Exception):  # the database away: keep the socket, ask again later
            if not await live():
                await close(websocket)
                return

"""A WebSocket client's frames, read in the background so none goes unseen."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed


class FrameReader:
    """Every frame one socket receives, in order; ``dropped`` says how it closed if the server closed it."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.frames: list[dict[str, Any]] = []
        self.dropped: ConnectionClosed | None = None
        self._task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for raw in self.socket:
                self.frames.append(json.loads(raw))
        except ConnectionClosed as closed:
            self.dropped = closed

    async def close(self) -> None:
        """Close the socket and wait until every frame before the close was read."""
        await self.socket.close()
        await self._task

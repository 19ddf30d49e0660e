"""One socket's link to NATS: the live subjects it listens to, and the frames it sends out in order.

Frames from NATS (published by chat after it stored the change, or by a gateway for typing and
read receipts) go through one queue to one writer, so a socket never gets two frames at once.
Any gateway replica can serve any socket: each one listens to the same subjects.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from contracts import Envelope
from contracts.chat import ChatLiveFrameV1
from plumbing.bus import Bus
from plumbing.logging import get_logger

log = get_logger(__name__)
# A reader that falls this far behind is dropped; it reconnects and gap-fills by sequence number.
OUTBOX_LIMIT = 1_000
Render = Callable[[ChatLiveFrameV1], dict[str, Any] | None]


class Link:
    """The live subjects of one socket and its single writer."""

    def __init__(self, bus: Bus, websocket: WebSocket, render: Render) -> None:
        self.bus = bus
        self.websocket = websocket
        self.render = render  # what this socket's reader may see of a frame (None: nothing)
        self.outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue(OUTBOX_LIMIT)
        self._subscriptions: dict[str, Subscription] = {}
        self._writer: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the writer."""
        self._writer = asyncio.create_task(self._write(), name="chat-socket-writer")

    async def listen(self, subject: str) -> None:
        """Forward the frames of ``subject`` to this socket (once, however often asked)."""
        if subject not in self._subscriptions:
            self._subscriptions[subject] = await self.bus.nc.subscribe(subject, cb=self._received)

    async def forget(self, subject: str) -> None:
        """Stop forwarding ``subject``."""
        if (subscription := self._subscriptions.pop(subject, None)) is not None:
            with contextlib.suppress(Exception):
                await subscription.unsubscribe()

    def send(self, frame: dict[str, Any]) -> None:
        """Queue a frame for the socket; a reader too far behind is disconnected (it will resync)."""
        try:
            self.outbox.put_nowait(frame)
        except asyncio.QueueFull:
            log.warning("chat.socket_behind")
            if self._writer is not None:
                self._writer.cancel()

    async def publish(self, subject: str, frame: ChatLiveFrameV1) -> None:
        """Tell the other side something that is not stored (typing, read receipts)."""
        await self.bus.nc.publish(subject, Envelope.wrap(frame).to_bytes())

    async def close(self) -> None:
        """Unsubscribe everything and stop the writer."""
        for subject in list(self._subscriptions):
            await self.forget(subject)
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._writer

    @property
    def broken(self) -> bool:
        """True once the writer stopped (the reader went away or fell behind)."""
        return self._writer is not None and self._writer.done()

    async def _received(self, msg: Msg) -> None:
        try:
            envelope = Envelope.from_bytes(msg.data)
            frame = ChatLiveFrameV1.model_validate(envelope.data)
        except Exception:
            log.warning("chat.live_frame_unreadable", subject=msg.subject)
            return
        if (rendered := self.render(frame)) is not None:
            self.send(rendered)

    async def _write(self) -> None:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            while True:
                frame = await self.outbox.get()
                if self.websocket.application_state is not WebSocketState.CONNECTED:
                    return
                await self.websocket.send_json(frame)

"""Sockets' links to NATS: the live subjects they follow, and the frames each sends out in order.

Frames from NATS (published by chat after it stored the change, or by a gateway for typing and
read receipts) go through one queue per socket to one writer, so a socket never gets two frames at
once. Any gateway replica can serve any socket: each one listens to the same subjects. Within a
process, one subscription per subject serves every socket that follows it (the customer's and the
agent's sockets of a chat often share a gateway), and each frame is parsed once.
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


class Hub:
    """This process's subscriptions to live subjects, each shared by the links that follow it."""

    def __init__(self, bus: Bus) -> None:
        self.bus = bus
        self._subscriptions: dict[str, Subscription] = {}
        self._links: dict[str, set[Link]] = {}
        self._lock = asyncio.Lock()  # two sockets joining one subject at once subscribe once

    async def join(self, subject: str, link: Link) -> None:
        """Deliver ``subject``'s frames to ``link`` too."""
        async with self._lock:
            self._links.setdefault(subject, set()).add(link)
            if subject not in self._subscriptions:
                self._subscriptions[subject] = await self.bus.nc.subscribe(subject, cb=self._received)

    async def leave(self, subject: str, link: Link) -> None:
        """Stop delivering to ``link``; the last one to leave ends the subscription."""
        async with self._lock:
            followers = self._links.get(subject, set())
            followers.discard(link)
            if not followers and (subscription := self._subscriptions.pop(subject, None)) is not None:
                self._links.pop(subject, None)
                with contextlib.suppress(Exception):
                    await subscription.unsubscribe()

    async def _received(self, msg: Msg) -> None:
        try:
            frame = ChatLiveFrameV1.model_validate(Envelope.from_bytes(msg.data).data)
        except Exception:
            log.warning("chat.live_frame_unreadable", subject=msg.subject)
            return
        for link in list(self._links.get(msg.subject, ())):
            link.deliver(frame)


class Link:
    """The live subjects of one socket and its single writer."""

    def __init__(self, hub: Hub, websocket: WebSocket, render: Render) -> None:
        self.hub = hub
        self.websocket = websocket
        self.render = render  # what this socket's reader may see of a frame (None: nothing)
        self.outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue(OUTBOX_LIMIT)
        self._subjects: set[str] = set()
        self._writer: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the writer."""
        self._writer = asyncio.create_task(self._write(), name="chat-socket-writer")

    async def listen(self, subject: str) -> None:
        """Forward the frames of ``subject`` to this socket (once, however often asked)."""
        if subject not in self._subjects:
            self._subjects.add(subject)
            await self.hub.join(subject, self)

    async def forget(self, subject: str) -> None:
        """Stop forwarding ``subject``."""
        if subject in self._subjects:
            self._subjects.discard(subject)
            await self.hub.leave(subject, self)

    def deliver(self, frame: ChatLiveFrameV1) -> None:
        """A live frame of a followed subject: sent if this socket's reader may see it."""
        if (rendered := self.render(frame)) is not None:
            self.send(rendered)

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
        await self.hub.bus.nc.publish(subject, Envelope.wrap(frame).to_bytes())

    async def close(self) -> None:
        """Unsubscribe everything and stop the writer."""
        for subject in list(self._subjects):
            await self.forget(subject)
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._writer

    @property
    def broken(self) -> bool:
        """True once the writer stopped (the reader went away or fell behind)."""
        return self._writer is not None and self._writer.done()

    async def _write(self) -> None:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            while True:
                frame = await self.outbox.get()
                if self.websocket.application_state is not WebSocketState.CONNECTED:
                    return
                await self.websocket.send_json(frame)

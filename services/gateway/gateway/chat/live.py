"""Sockets' links to NATS: the live subjects they follow, and the frames each sends out in order.

Frames from NATS (published by chat after it stored the change, or by a gateway for typing and
read receipts) go through one queue per socket to one writer, so a socket never gets two frames at
once. Any gateway replica can serve any socket: each one listens to the same subjects. Within a
process, one subscription per subject serves every socket that follows it (the customer's and the
agent's sockets of a chat often share a gateway), and each frame is parsed once.

Agents' sockets also follow tickets: one subscription per process to the tickets service's facts
(``atende.tickets.events.>``; a core-NATS subscription sees the relay's JetStream publishes) becomes
a ``TicketChange`` — which ticket, its department and status, what happened, never its content —
offered to every agent's link, whose session decides whether its agent may know.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from contracts import Envelope
from contracts.chat import ChatLiveFrameV1
from contracts.subjects import (
    GET_TICKET_V1,
    TICKET_ASSIGNED_V1,
    TICKET_CLOSED_V1,
    TICKET_NOTE_ADDED_V1,
    TICKET_OPENED_V1,
    TICKET_RATED_V1,
    TICKET_REPLIED_V1,
    TICKET_STATUS_CHANGED_V1,
    TICKETS,
)
from contracts.ticket_commands import GetTicketV1, TicketV1
from contracts.tickets import (
    TicketAssignedV1,
    TicketClosedV1,
    TicketNoteAddedV1,
    TicketOpenedV1,
    TicketRatedV1,
    TicketRepliedV1,
    TicketStatus,
    TicketStatusChangedV1,
)
from plumbing.bus import Bus
from plumbing.logging import get_logger

log = get_logger(__name__)
# A reader that falls this far behind is dropped; it reconnects and gap-fills by sequence number.
OUTBOX_LIMIT = 1_000
Render = Callable[[ChatLiveFrameV1], dict[str, Any] | None]
TicketFact = (
    TicketOpenedV1
    | TicketRepliedV1
    | TicketStatusChangedV1
    | TicketClosedV1
    | TicketAssignedV1
    | TicketNoteAddedV1
    | TicketRatedV1
)
# What the tickets service publishes, as the console names it; anything else (e.g. a bounce) is no news.
TICKET_EVENTS: dict[str, tuple[str, type[TicketFact]]] = {
    TICKET_OPENED_V1: ("opened", TicketOpenedV1),
    TICKET_REPLIED_V1: ("replied", TicketRepliedV1),
    TICKET_STATUS_CHANGED_V1: ("status_changed", TicketStatusChangedV1),
    TICKET_CLOSED_V1: ("closed", TicketClosedV1),
    TICKET_ASSIGNED_V1: ("assigned", TicketAssignedV1),
    TICKET_NOTE_ADDED_V1: ("note_added", TicketNoteAddedV1),
    TICKET_RATED_V1: ("rated", TicketRatedV1),
}
# A ticket's department never changes, so it is remembered (bounded) instead of asked for every event.
REMEMBERED_DEPARTMENTS = 10_000


@dataclass(frozen=True)
class TicketChange:
    """A ticket changed: which, where, its status when the event says it, and what happened."""

    ticket_id: str
    number: int
    department: str | None
    status: TicketStatus | None
    event: str


TicketRender = Callable[[TicketChange], dict[str, Any] | None]


def _status(fact: TicketFact) -> TicketStatus | None:
    """The ticket's status after ``fact``, when the fact says it (a reply's move comes as its own fact)."""
    if isinstance(fact, TicketOpenedV1 | TicketStatusChangedV1):
        return fact.status
    return TicketStatus.FINISHED if isinstance(fact, TicketClosedV1) else None


class Hub:
    """This process's subscriptions to live subjects, each shared by the links that follow it."""

    def __init__(self, bus: Bus) -> None:
        self.bus = bus
        self._subscriptions: dict[str, Subscription] = {}
        self._links: dict[str, set[Link]] = {}
        self._lock = asyncio.Lock()  # two sockets joining one subject at once subscribe once
        self._ticket_links: dict[Link, TicketRender] = {}
        self._tickets: Subscription | None = None
        self._departments: OrderedDict[str, str | None] = OrderedDict()

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

    async def follow_tickets(self, link: Link, render: TicketRender) -> None:
        """Offer every ticket change to ``link``, as ``render`` shows it (None: not for this reader)."""
        async with self._lock:
            self._ticket_links[link] = render
            if self._tickets is None:
                self._tickets = await self.bus.nc.subscribe(TICKETS.subjects[0], cb=self._ticket_event)

    async def unfollow_tickets(self, link: Link) -> None:
        """Stop offering ticket changes to ``link``; the last one ends the subscription."""
        async with self._lock:
            self._ticket_links.pop(link, None)
            if not self._ticket_links and self._tickets is not None:
                subscription, self._tickets = self._tickets, None
                with contextlib.suppress(Exception):
                    await subscription.unsubscribe()

    async def _ticket_event(self, msg: Msg) -> None:
        known = TICKET_EVENTS.get(msg.subject)
        if known is None:
            return
        event, kind = known
        try:
            fact = kind.model_validate(Envelope.from_bytes(msg.data).data)
            if isinstance(fact, TicketOpenedV1):
                self._remember(fact.ticket_id, fact.department)
            change = TicketChange(
                fact.ticket_id, fact.number, await self._department(fact.ticket_id), _status(fact), event
            )
        except Exception:
            # Unreadable, or tickets cannot say where it belongs: better tell nobody than anybody.
            log.warning("tickets.live_event_dropped", subject=msg.subject)
            return
        for link, render in list(self._ticket_links.items()):
            if (rendered := render(change)) is not None:
                link.send(rendered)

    async def _department(self, ticket_id: str) -> str | None:
        if ticket_id in self._departments:
            self._departments.move_to_end(ticket_id)
            return self._departments[ticket_id]
        found = await self.bus.request(GET_TICKET_V1, GetTicketV1(ticket_id=ticket_id), TicketV1)
        return self._remember(ticket_id, found.department)

    def _remember(self, ticket_id: str, department: str | None) -> str | None:
        self._departments[ticket_id] = department
        self._departments.move_to_end(ticket_id)
        while len(self._departments) > REMEMBERED_DEPARTMENTS:
            self._departments.popitem(last=False)
        return department

    async def _received(self, msg: Msg) -> None:
        try:
            frame = ChatLiveFrameV1.model_validate(Envelope.from_bytes(msg.data).data)
        except Exception:
            log.warning("chat.live_frame_unreadable", subject=msg.subject)
            return
        for link in list(self._links.get(msg.subject, ())):
            link.deliver(frame)


def _closed(frame: ChatLiveFrameV1) -> None:
    """What a closed link renders: nothing."""


class Link:
    """The live subjects of one socket and its single writer."""

    def __init__(self, hub: Hub, websocket: WebSocket, render: Render) -> None:
        self.hub = hub
        self.websocket = websocket
        self.render = render  # what this socket's reader may see of a frame (None: nothing)
        self.outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue(OUTBOX_LIMIT)
        self._subjects: set[str] = set()
        self._follows_tickets = False
        self._writer: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the writer."""
        self._writer = asyncio.create_task(self._write(), name="chat-socket-writer")

    async def listen(self, subject: str) -> None:
        """Forward the frames of ``subject`` to this socket (once, however often asked)."""
        if subject not in self._subjects:
            self._subjects.add(subject)
            await self.hub.join(subject, self)

    async def follow_tickets(self, render: TicketRender) -> None:
        """Send this socket the ticket changes ``render`` lets through."""
        self._follows_tickets = True
        await self.hub.follow_tickets(self, render)

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
        if self._follows_tickets:
            self._follows_tickets = False
            await self.hub.unfollow_tickets(self)
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._writer
        # render is a method of the session, which holds this link: that cycle left the closed socket
        # (its protocol, buffers, compressor) to the cyclic collector. Closed, nothing more is rendered.
        self.render = _closed

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

"""Ticket requests from email and chat (TicketRequestedV1), consumed durably and idempotently."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from contracts import Envelope, Message
from contracts.tickets import TicketRequestedV1
from plumbing.consumer import Poison
from plumbing.logging import get_logger
from tickets.application import Tickets
from tickets.entrypoints.commands import open_request

log = get_logger(__name__)


def handle_requests(
    app: Tickets, opened: Callable[[], None]
) -> Callable[[Message, Envelope], Awaitable[None]]:
    """A consumer handler: open the ticket for each request; a redelivery finds the same ticket."""

    async def handle(message: Message, envelope: Envelope) -> None:
        if not isinstance(message, TicketRequestedV1):
            raise Poison(f"tickets-intake does not take {envelope.type_key}")
        [ticket] = await asyncio.to_thread(app.open_many, [open_request(message)])
        log.info("ticket.requested", number=ticket.number, channel=message.channel.value)
        opened()

    return handle

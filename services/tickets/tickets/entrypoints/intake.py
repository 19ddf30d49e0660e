"""The intake stream: ticket requests (TicketRequestedV1) and email replies (TicketReplyReceivedV1)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from contracts import Envelope, Message
from contracts.tickets import TicketReplyReceivedV1, TicketRequestedV1
from plumbing.consumer import Poison
from plumbing.logging import get_logger
from tickets.application import Tickets
from tickets.entrypoints.commands import open_request
from tickets.entrypoints.replies import receive_reply

log = get_logger(__name__)


def handle_requests(
    app: Tickets, opened: Callable[[], None]
) -> Callable[[Message, Envelope], Awaitable[None]]:
    """A consumer handler: open the ticket for each request, add each reply; redeliveries change nothing."""

    async def handle(message: Message, envelope: Envelope) -> None:
        if isinstance(message, TicketRequestedV1):
            [ticket] = await asyncio.to_thread(app.open_many, [open_request(message)])
            log.info("ticket.requested", number=ticket.number, channel=message.channel.value)
        elif isinstance(message, TicketReplyReceivedV1):
            ticket = await asyncio.to_thread(receive_reply, app, message)
            log.info("ticket.reply_received", number=ticket.number, threaded_by=message.threaded_by)
        else:
            raise Poison(f"tickets-intake does not take {envelope.type_key}")
        opened()  # wakes the relay and the projector: the change goes out now, not at the next poll

    return handle

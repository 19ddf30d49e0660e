"""The intake stream: ticket requests, email replies and bounces of our mails."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from contracts import Envelope, Message
from contracts.tickets import TicketBounceReceivedV1, TicketReplyReceivedV1, TicketRequestedV1
from plumbing.consumer import Poison
from plumbing.logging import get_logger
from tickets.application import Tickets
from tickets.entrypoints.bounces import receive_bounce
from tickets.entrypoints.commands import open_request
from tickets.entrypoints.replies import ViewsCurrent, receive_reply

log = get_logger(__name__)


def handle_requests(
    app: Tickets, opened: Callable[[], None], current: ViewsCurrent | None = None
) -> Callable[[Message, Envelope], Awaitable[None]]:
    """A consumer handler for requests, email replies and bounces; redeliveries change nothing."""

    async def handle(message: Message, envelope: Envelope) -> None:
        if isinstance(message, TicketRequestedV1):
            [ticket] = await asyncio.to_thread(app.open_many, [open_request(message)])
            log.info("ticket.requested", number=ticket.number, channel=message.channel.value)
        elif isinstance(message, TicketReplyReceivedV1):
            ticket = await asyncio.to_thread(receive_reply, app, message, current)
            log.info("ticket.reply_received", number=ticket.number, threaded_by=message.threaded_by)
        elif isinstance(message, TicketBounceReceivedV1):
            bounced = await asyncio.to_thread(receive_bounce, app, message, current)
            log.info(
                "ticket.bounce_received", number=bounced.number if bounced else None, status=message.status
            )
        else:
            raise Poison(f"tickets-intake does not take {envelope.type_key}")
        opened()  # wakes the relay and the projector: the change goes out now, not at the next poll

    return handle

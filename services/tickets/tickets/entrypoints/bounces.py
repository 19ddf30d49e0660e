"""Bounces of our mails (TicketBounceReceivedV1): an internal line on the ticket the mail was about."""

from __future__ import annotations

from contracts.tickets import TicketBounceReceivedV1
from plumbing.logging import get_logger
from tickets.application import Tickets
from tickets.domain.ticket import Ticket
from tickets.entrypoints.replies import ViewsCurrent, find_ticket

log = get_logger(__name__)


def receive_bounce(
    app: Tickets, message: TicketBounceReceivedV1, current: ViewsCurrent | None = None
) -> Ticket | None:
    """Note the failed delivery on its ticket, once (synchronous: a thread); None when no ticket fits.

    A ticket found by our Message-IDs takes the bounce whatever address failed (agents see it; the
    notifier flags only the ticket's own address). A ``[#n]`` tag is a guess anyone can make, so it
    counts only when the failed address is that ticket's customer.
    """
    ticket = find_ticket(app, message.ticket_id, message.number, current)
    recipient = message.recipient.lower()
    if ticket is None or (message.ticket_id is None and ticket.customer_email.lower() != recipient):
        log.info("ticket.bounce_unmatched", found=ticket is not None, number=message.number)
        return None

    def same(event: object) -> bool:
        return isinstance(event, Ticket.DeliveryFailed) and event.bounce_id == message.request_id

    if app.has_event(ticket.id, same):
        return ticket
    return app.delivery_failed(
        ticket.id,
        bounce_id=message.request_id,
        recipient=recipient,
        status=message.status,
        diagnostic=message.diagnostic,
    )

"""Customer replies from outside the portal (TicketReplyReceivedV1): onto their ticket, or a new one."""

from __future__ import annotations

from uuid import UUID

from contracts.tickets import TicketReplyReceivedV1
from plumbing.logging import get_logger
from tickets.application import OpenRequest, TicketNotFound, Tickets
from tickets.domain.ticket import CUSTOMER, Ticket
from tickets.entrypoints.commands import reply_or_follow_up

log = get_logger(__name__)
NO_SUBJECT = "(sem assunto)"


def receive_reply(app: Tickets, message: TicketReplyReceivedV1) -> Ticket:
    """Add the reply to the sender's own ticket, or open a new ticket from it (synchronous: a thread).

    Idempotent: the reply's id is its request id and a reply already in the ticket's events is not
    added again; the new-ticket path derives the ticket id from the same request id.
    """
    ticket = find_ticket(app, message)
    sender = message.customer_email.lower()
    if ticket is None or ticket.customer_email.lower() != sender:
        # Nothing is lost and nobody writes into someone else's ticket: it becomes a request.
        log.info("ticket.reply_unmatched", found=ticket is not None, threaded_by=message.threaded_by)
        return open_from_reply(app, message)
    if has_reply(app, ticket.id, message.request_id):
        return ticket
    # A concurrent redelivery loses the save race (StaleVersion), is retried and then finds the reply.
    return reply_or_follow_up(
        app,
        ticket.id,
        None,
        reply_id=message.request_id,
        author_kind=CUSTOMER,
        author=sender,
        body=message.body,
        channel=message.channel.value,
        attachment_ids=list(message.attachment_ids),
    )


def find_ticket(app: Tickets, message: TicketReplyReceivedV1) -> Ticket | None:
    """The ticket the reply names: by id first, else by its human number."""
    ticket_uuid = _uuid(message.ticket_id) if message.ticket_id else None
    if ticket_uuid is None and message.number is not None:
        ticket_uuid = ticket_by_number(app, message.number)
    if ticket_uuid is None:
        return None
    try:
        return app.get(ticket_uuid)
    except TicketNotFound:
        return None


def ticket_by_number(app: Tickets, number: int) -> UUID | None:
    """The id of ticket ``number`` from the read model (a ticket opened a moment ago may not be there yet)."""
    datastore = getattr(app.factory, "datastore", None)
    if datastore is None:  # an in-memory application (tests) has no read model
        return None
    with datastore.transaction(commit=False) as cursor:
        cursor.execute("SELECT to_regclass('ticket_summary') AS present")
        row = cursor.fetchone()
        if row is None or row["present"] is None:
            return None
        cursor.execute("SELECT ticket_id FROM ticket_summary WHERE number = %s", (number,))
        found = cursor.fetchone()
    return UUID(str(found["ticket_id"])) if found else None


def has_reply(app: Tickets, ticket: UUID, reply_id: str) -> bool:
    """Whether the ticket's events already hold this reply (the aggregate keeps no reply ids)."""
    return any(
        isinstance(event, Ticket.Replied) and event.reply_id == reply_id
        for event in app.repository.event_store.get(ticket)
    )


def open_from_reply(app: Tickets, message: TicketReplyReceivedV1) -> Ticket:
    """A new ticket carrying the reply, its id derived from the reply's request id."""
    request = OpenRequest(
        message.request_id,
        message.channel.value,
        message.customer_email,
        message.customer_name,
        message.subject or NO_SUBJECT,
        message.body,
        None,
        tuple(message.attachment_ids),
    )
    [ticket] = app.open_many([request])
    return ticket


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None

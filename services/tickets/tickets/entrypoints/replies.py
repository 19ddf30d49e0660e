"""Customer replies from outside the portal (TicketReplyReceivedV1): onto their ticket, or a new one."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from contracts.tickets import TicketReplyReceivedV1
from plumbing.logging import get_logger
from plumbing.projection import Projector
from tickets.application import OpenRequest, TicketNotFound, Tickets
from tickets.domain.ticket import CUSTOMER, Ticket
from tickets.entrypoints.commands import refused_pairs, reply_or_follow_up

log = get_logger(__name__)
NO_SUBJECT = "(sem assunto)"
# Brings the read models up to every event saved so far; False when they could not get there.
ViewsCurrent = Callable[[], bool]


class ViewsBehind(Exception):
    """A ticket number may exist but the read model cannot show it yet: retry the message later."""


def views_current(app: Tickets, views: Projector) -> ViewsCurrent:
    """The catch-up a number lookup needs before it may call a number unknown."""

    def catch_up() -> bool:
        head = app.recorder.max_notification_id() or 0
        views.include(head)
        return views.position >= head

    return catch_up


def receive_reply(
    app: Tickets, message: TicketReplyReceivedV1, current: ViewsCurrent | None = None
) -> Ticket:
    """Add the reply to the sender's own ticket, or open a new ticket from it (synchronous: a thread).

    Idempotent: the reply's id is its request id and a reply already in the ticket's events is not
    added again; the new-ticket path derives the ticket id from the same request id.
    """
    ticket = find_ticket(app, message.ticket_id, message.number, current)
    sender = message.customer_email.lower()
    if ticket is None or ticket.customer_email.lower() != sender:
        # Nothing is lost and nobody writes into someone else's ticket: it becomes a request.
        log.info("ticket.reply_unmatched", found=ticket is not None, threaded_by=message.threaded_by)
        return open_from_reply(app, message)
    if app.has_reply(ticket.id, message.request_id):
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
        threaded_by=message.threaded_by or None,
        refused_attachments=refused_pairs(message.refused_attachments),
    )


def find_ticket(
    app: Tickets, ticket_id: str | None, number: int | None, current: ViewsCurrent | None = None
) -> Ticket | None:
    """The ticket a mail names: by id first, else by its human number."""
    ticket_uuid = _uuid(ticket_id) if ticket_id else None
    if ticket_uuid is None and number is not None:
        ticket_uuid = ticket_by_number(app, number)
        if ticket_uuid is None and current is not None:
            # A ticket opened a moment ago may not be in the read model yet: bring it up to every
            # saved event before calling the number unknown (else the reply would open a new ticket).
            if not current():
                raise ViewsBehind(number)
            ticket_uuid = ticket_by_number(app, number)
    if ticket_uuid is None:
        return None
    try:
        return app.get(ticket_uuid)
    except TicketNotFound:
        return None


def ticket_by_number(app: Tickets, number: int) -> UUID | None:
    """The id of ticket ``number`` as the read model knows it now."""
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
        refused_attachments=refused_pairs(message.refused_attachments),
    )
    [ticket] = app.open_many([request])
    return ticket


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None

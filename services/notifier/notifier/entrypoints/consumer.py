"""Ticket events → customer emails: one mail per event, recorded in the send's transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from email.message import EmailMessage

from psycopg_pool import AsyncConnectionPool

from contracts import Envelope, Message
from contracts.subjects import NOTIFIER_TICKETS_DURABLE
from contracts.tickets import TicketOpenedV1
from notifier.adapters import known_tickets, smtp
from notifier.adapters.templates import Templates
from notifier.config import Settings
from notifier.domain.envelope import compose
from notifier.domain.notifications import TICKET_EVENTS, KnownTicket, notice_for, ticket_of
from plumbing.inbox import first_delivery
from plumbing.logging import get_logger

log = get_logger(__name__)
Send = Callable[[Settings, EmailMessage], Awaitable[None]]


def handle_ticket_events(
    pool: AsyncConnectionPool, settings: Settings, templates: Templates, send: Send = smtp.send
) -> Callable[[Message, Envelope], Awaitable[None]]:
    """A consumer handler that mails the customer at most once per event.

    The record, the read model and the send share one transaction: an SMTP failure rolls the
    record back and raises, so the consumer retries the event later with backoff. A crash after
    the send but before the commit sends again, with the same Message-ID.
    """

    async def handle(message: Message, envelope: Envelope) -> None:
        if not isinstance(message, TICKET_EVENTS):
            return  # a kind of ticket fact we do not mail about (yet)
        async with pool.connection() as conn, conn.transaction():
            if not await first_delivery(conn, NOTIFIER_TICKETS_DURABLE.name, envelope.message_id):
                log.info("notifier.duplicate_skipped")
                return
            known: KnownTicket | None
            if isinstance(message, TicketOpenedV1):
                known = ticket_of(message, None)
                await known_tickets.remember(conn, known)
            else:
                known = await known_tickets.lookup(conn, message.ticket_id)
            notice = notice_for(message, known, settings.language)
            if notice is None:
                return
            text, html = templates.render(notice)
            email = compose(
                notice,
                event_id=envelope.message_id,
                text=text,
                html=html,
                mail_from=settings.mail_from,
                support_address=settings.support_address,
                date=envelope.occurred_at,
            )
            await send(settings, email)
            log.info("notifier.sent", kind=notice.kind.value, number=notice.ticket.number)

    return handle

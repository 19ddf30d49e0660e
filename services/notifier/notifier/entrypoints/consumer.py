"""Ticket events → customer emails: one mail per event, recorded in the send's transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from email.message import EmailMessage

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from contracts import Envelope, Message
from contracts.subjects import NOTIFIER_TICKETS_DURABLE
from contracts.tickets import TicketDeliveryFailedV1, TicketOpenedV1
from notifier.adapters import known_tickets, mail_log, smtp
from notifier.adapters.templates import Templates
from notifier.config import Settings
from notifier.domain.envelope import compose
from notifier.domain.limits import Caps, bounced, skip_reason, wrote_to_us
from notifier.domain.notifications import TICKET_EVENTS, KnownTicket, Notice, notice_for, ticket_of
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
    the send but before the commit sends again, with the same Message-ID. A mail the rules ask
    for but the address's bounce or the hourly caps hold back is recorded as skipped, with why.
    """
    caps = Caps(settings.mails_per_ticket_hour, settings.mails_per_address_hour)

    async def handle(message: Message, envelope: Envelope) -> None:
        if not isinstance(message, (*TICKET_EVENTS, TicketDeliveryFailedV1)):
            return  # a kind of ticket fact we do not mail about (yet)
        async with pool.connection() as conn, conn.transaction():
            if not await first_delivery(conn, NOTIFIER_TICKETS_DURABLE.name, envelope.message_id):
                log.info("notifier.duplicate_skipped")
                return
            if isinstance(message, TicketDeliveryFailedV1):
                await _flag(conn, message)
                return
            if (writer := wrote_to_us(message)) and await mail_log.clear(conn, writer):
                log.info("notifier.address_cleared", number=message.number)  # it writes: it receives
            known: KnownTicket | None
            if isinstance(message, TicketOpenedV1):
                known = ticket_of(message, None)
                await known_tickets.remember(conn, known)
            else:
                known = await known_tickets.lookup(conn, message.ticket_id)
            notice = notice_for(message, known, settings.language)
            if notice is None or not await _allowed(conn, notice, envelope.message_id, caps):
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


async def _allowed(conn: AsyncConnection, notice: Notice, event_id: str, caps: Caps) -> bool:
    """Record the mail as sent, or as skipped with the reason (never silently) and return False."""
    address, ticket = notice.ticket.customer_email, notice.ticket.ticket_id
    await mail_log.lock_address(conn, address)
    reason = skip_reason(
        flagged=await mail_log.flagged(conn, address),
        recent=await mail_log.recent(conn, ticket, address),
        caps=caps,
    )
    await mail_log.record(
        conn,
        event_id,
        kind=notice.kind.value,
        ticket_id=ticket,
        address=address,
        outcome=mail_log.SKIPPED if reason else mail_log.SENT,
        reason=reason,
    )
    if reason is not None:
        log.warning("notifier.skipped", kind=notice.kind.value, number=notice.ticket.number, reason=reason)
    return reason is None


async def _flag(conn: AsyncConnection, message: TicketDeliveryFailedV1) -> None:
    """Stop mailing the ticket's address after a bounce, until it writes to us again."""
    address = bounced(message)
    if address is None:
        log.info("notifier.bounce_of_other_address", number=message.number)
        return
    await mail_log.flag(
        conn,
        address,
        ticket_id=message.ticket_id,
        status=message.status,
        diagnostic=message.diagnostic,
        at=message.failed_at,
    )
    log.warning("notifier.address_flagged", number=message.number, status=message.status)

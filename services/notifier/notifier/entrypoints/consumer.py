"""Ticket events → customer emails: one mail per event, recorded in the send's transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from email.message import EmailMessage

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from contracts import Envelope, Message
from contracts.subjects import NOTIFIER_TICKETS_DURABLE
from contracts.tickets import TicketDeliveryFailedV1, TicketOpenedV1
from notifier.adapters import known_tickets, mail_log, name_lookups, smtp
from notifier.adapters.files import Describe
from notifier.adapters.templates import Templates
from notifier.config import Settings
from notifier.domain.envelope import compose
from notifier.domain.limits import Caps, bounced, skip_reason, wrote_to_us
from notifier.domain.notifications import (
    TICKET_EVENTS,
    KnownTicket,
    Notice,
    names_wanted,
    notice_for,
    ticket_of,
)
from plumbing.crashpoints import crashpoint
from plumbing.inbox import first_delivery
from plumbing.logging import get_logger

log = get_logger(__name__)
Send = Callable[[Settings, EmailMessage], Awaitable[None]]


class FilesUnavailable(Exception):
    """The files service did not name a reply's attachments: the consumer tries the event again later."""


def handle_ticket_events(
    pool: AsyncConnectionPool,
    settings: Settings,
    templates: Templates,
    send: Send = smtp.send,
    describe: Describe | None = None,
) -> Callable[[Message, Envelope], Awaitable[None]]:
    """A consumer handler that mails the customer at most once per event.

    The record, the read model and the send share one transaction: an SMTP failure rolls the
    record back and raises, so the consumer retries the event later with backoff. A crash after
    the send but before the commit sends again, with the same Message-ID. A mail the rules ask
    for but the address's bounce or the hourly caps hold back is recorded as skipped, with why.
    An agent's reply names its files (``describe``, before the transaction: no lock waits on NATS;
    None: no files service, the files are "anexo 1", "anexo 2"…).
    """
    caps = Caps(settings.mails_per_ticket_hour, settings.mails_per_address_hour)

    async def handle(message: Message, envelope: Envelope) -> None:
        if not isinstance(message, (*TICKET_EVENTS, TicketDeliveryFailedV1)):
            return  # a kind of ticket fact we do not mail about (yet)
        wanted = names_wanted(message)
        names = await _names(wanted, envelope) if wanted else None
        async with pool.connection() as conn, conn.transaction():
            if not await first_delivery(conn, NOTIFIER_TICKETS_DURABLE.name, envelope.message_id):
                log.info("notifier.duplicate_skipped")
                return
            if wanted:
                await name_lookups.forget(conn, envelope.message_id)
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
            notice = notice_for(message, known, settings.language, names)
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
            crashpoint("notifier.after_send")  # tests: kill -9 with the mail accepted, its record not
            log.info("notifier.sent", kind=notice.kind.value, number=notice.ticket.number)

    async def _names(attachment_ids: list[str], envelope: Envelope) -> Mapping[str, str] | None:
        """The files' names (``attachment_names``), unless the event was mailed before."""
        async with pool.connection() as conn:
            if await mail_log.recorded(conn, envelope.message_id):
                return None  # handled before (a redelivery): the transaction below skips it anyway
        return await attachment_names(pool, settings, describe, attachment_ids, envelope.message_id)

    async def handle_then_ack(message: Message, envelope: Envelope) -> None:
        await handle(message, envelope)
        crashpoint("notifier.before_ack")  # tests: kill -9 with the record committed, the ack not sent

    return handle_then_ack


async def attachment_names(
    pool: AsyncConnectionPool,
    settings: Settings,
    describe: Describe | None,
    attachment_ids: list[str],
    event_id: str,
) -> Mapping[str, str] | None:
    """The files' names; FilesUnavailable for a retry, or None once retries are spent (or no files).

    Call it before the send's transaction, and ``name_lookups.forget`` the event inside it.
    """
    if describe is None:
        return None
    names = await describe(attachment_ids)
    if names is not None:
        if unknown := len(set(attachment_ids) - names.keys()):
            log.warning("notifier.attachments_not_stored", attachments=unknown)  # listed as "anexo N"
        return names
    # A redelivery after a nak may be another replica's: the count lives in the database.
    misses = await name_lookups.missed(pool, event_id)
    if misses <= settings.attachment_name_retries:
        raise FilesUnavailable(f"no names for {len(attachment_ids)} attachment(s), miss {misses}")
    log.warning("notifier.attachments_unnamed", attachments=len(attachment_ids), misses=misses)
    return None


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

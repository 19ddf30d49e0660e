"""Chat facts → the transcript a customer asked for: one mail per fact, recorded in the send's transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from psycopg_pool import AsyncConnectionPool

from contracts import Envelope, Message
from contracts.subjects import NOTIFIER_CHAT_DURABLE
from notifier.adapters import mail_log, name_lookups, smtp
from notifier.adapters.chat import ReadConversation
from notifier.adapters.files import Describe
from notifier.adapters.templates import Templates
from notifier.config import Settings
from notifier.domain.envelope import compose_transcript
from notifier.domain.limits import Caps, Recent, skip_reason
from notifier.domain.transcripts import KIND, files_of, site_of, transcript, transcript_request
from notifier.entrypoints.consumer import Send, attachment_names
from plumbing.consumer import Poison
from plumbing.inbox import first_delivery
from plumbing.logging import get_logger

log = get_logger(__name__)


def handle_chat_events(
    pool: AsyncConnectionPool,
    settings: Settings,
    templates: Templates,
    read_conversation: ReadConversation,
    send: Send = smtp.send,
    describe: Describe | None = None,
) -> Callable[[Message, Envelope], Awaitable[None]]:
    """A consumer handler that mails a chat's transcript when its customer asked, at most once per fact.

    The conversation (chat) and its files' names (files) are asked before the send's transaction, so
    no lock waits on NATS; chat not answering raises ``ChatUnavailable`` and the consumer retries the
    fact with its backoff, then dead-letters it. A redelivery of a fact already mailed (or skipped)
    asks nobody anything. The bounce flag and the per-address cap hold a transcript back like a ticket
    mail (a chat is started with any address: its transcripts must not flood a mailbox either).
    """
    caps = Caps(settings.mails_per_ticket_hour, settings.mails_per_address_hour)
    zone, site = settings.zone(), site_of(settings.mail_from)

    async def handle(message: Message, envelope: Envelope) -> None:
        request = transcript_request(message)
        if request is None:
            return  # closed without asking for the transcript
        event_id = envelope.message_id
        async with pool.connection() as conn:
            if await mail_log.recorded(conn, event_id):
                log.info("notifier.duplicate_skipped")
                return
        conversation = await read_conversation(request.conversation_id)
        if conversation is None:
            raise Poison(f"chat does not know conversation {request.conversation_id}")
        wanted = files_of(conversation)
        names = await attachment_names(pool, settings, describe, wanted, event_id) if wanted else None
        async with pool.connection() as conn, conn.transaction():
            if not await first_delivery(conn, NOTIFIER_CHAT_DURABLE.name, event_id):
                log.info("notifier.duplicate_skipped")
                return
            if wanted:
                await name_lookups.forget(conn, event_id)
            mail = transcript(
                request,
                conversation,
                names=names,
                language=settings.language,
                zone=zone,
                zone_name=settings.timezone,
                site=site,
            )
            address = mail.customer_email
            await mail_log.lock_address(conn, address)
            to_address = (await mail_log.recent(conn, None, address)).address
            reason = skip_reason(
                flagged=await mail_log.flagged(conn, address), recent=Recent(0, to_address), caps=caps
            )
            outcome = mail_log.SKIPPED if reason else mail_log.SENT
            await mail_log.record(
                conn, event_id, kind=KIND, ticket_id=None, address=address, outcome=outcome, reason=reason
            )
            if reason is not None:
                log.warning("notifier.transcript_skipped", reason=reason)
                return
            text, html = templates.render_transcript(mail)
            email = compose_transcript(
                mail,
                event_id=event_id,
                text=text,
                html=html,
                mail_from=settings.mail_from,
                support_address=settings.support_address,
                date=request.asked_at,
            )
            await send(settings, email)
            log.info("notifier.transcript_sent", lines=len(mail.lines))

    return handle

"""Account mails (verification, reset) → email: one mail per request, recorded in the send's transaction.

They are exempt from bounce flags and from the ticket caps (a reset must reach someone whose ticket
mail bounced once), but have a cap of their own per address, recorded like ticket mails when hit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from psycopg_pool import AsyncConnectionPool

from contracts import Envelope, Message
from contracts.accounts import AccountEmailRequestedV1
from contracts.subjects import NOTIFIER_ACCOUNTS_DURABLE
from notifier.adapters import mail_log, smtp
from notifier.adapters.templates import Templates
from notifier.config import Settings
from notifier.domain.account_mail import account_notice
from notifier.domain.envelope import compose_account
from notifier.domain.limits import account_skip_reason
from notifier.entrypoints.consumer import Send
from plumbing.consumer import Poison
from plumbing.inbox import first_delivery
from plumbing.logging import get_logger

log = get_logger(__name__)


def handle_account_emails(
    pool: AsyncConnectionPool, settings: Settings, templates: Templates, send: Send = smtp.send
) -> Callable[[Message, Envelope], Awaitable[None]]:
    """A consumer handler that sends each requested account mail at most once (see consumer.py)."""

    async def handle(message: Message, envelope: Envelope) -> None:
        if not isinstance(message, AccountEmailRequestedV1):
            raise Poison(f"notifier-accounts does not take {envelope.type_key}")
        async with pool.connection() as conn, conn.transaction():
            if not await first_delivery(conn, NOTIFIER_ACCOUNTS_DURABLE.name, message.email_id):
                log.info("notifier.duplicate_skipped")
                return
            notice = account_notice(message, settings.language)
            address = notice.to_email
            await mail_log.lock_address(conn, address)
            recent = await mail_log.account_mails(conn, address)
            reason = account_skip_reason(recent, settings.account_mails_per_address_hour)
            outcome = mail_log.SKIPPED if reason else mail_log.SENT
            kind = notice.kind.value
            await mail_log.record(
                conn,
                message.email_id,
                kind=kind,
                ticket_id=None,
                address=address,
                outcome=outcome,
                reason=reason,
            )
            if reason is not None:
                log.warning("notifier.account_mail_skipped", kind=kind, reason=reason)
                return
            text, html = templates.render_account(notice)
            email = compose_account(
                notice,
                event_id=message.email_id,
                text=text,
                html=html,
                mail_from=settings.mail_from,
                support_address=settings.support_address,
                date=message.requested_at,
            )
            await send(settings, email)
            log.info("notifier.account_mail_sent", kind=notice.kind.value)

    return handle

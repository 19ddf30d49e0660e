"""Account mails (verification, reset) → email: one mail per request, recorded in the send's transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from psycopg_pool import AsyncConnectionPool

from contracts import Envelope, Message
from contracts.accounts import AccountEmailRequestedV1
from contracts.subjects import NOTIFIER_ACCOUNTS_DURABLE
from notifier.adapters import smtp
from notifier.adapters.templates import Templates
from notifier.config import Settings
from notifier.domain.account_mail import account_notice
from notifier.domain.envelope import compose_account
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

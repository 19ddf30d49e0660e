"""Hands the account mails queued in ``outbox_emails`` to the notifier, through JetStream.

The rows are written in the transaction of the change they announce (sign-up, reset). This loop
publishes each as ``AccountEmailRequestedV1`` and only then marks it sent and forgets its link, so
a one-time link never outlives its hand-off in our database. A crash between the PubAck and the
mark republishes the same message id, which JetStream drops as a duplicate.
"""

from __future__ import annotations

from datetime import datetime

from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from contracts.accounts import AccountEmail, AccountEmailRequestedV1
from contracts.subjects import ACCOUNT_EMAIL_REQUESTED_V1
from plumbing.bus import Bus
from plumbing.worker import Loop

_UNSENT = """
SELECT id, template, to_email, to_name, language, link, created_at FROM outbox_emails
WHERE sent_at IS NULL ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED
"""


def email_id(row_id: int, created_at: datetime) -> str:
    """Unique beyond this database (ids restart in a new one; the creation time does not repeat)."""
    return f"account-email:{row_id}:{created_at.timestamp():.6f}"


class OutboxMailer:
    """Publishes queued account mails in order; replicas share the rows (SKIP LOCKED)."""

    def __init__(self, pool: AsyncConnectionPool, bus: Bus, *, batch: int = 50, poll_s: float = 1.0) -> None:
        self.pool = pool
        self.bus = bus
        self.batch = batch
        # NATS or PostgreSQL away: the rows stay unsent and go on a later round.
        self.worker = Loop("outbox-mailer", self._drain, poll_s=poll_s)

    async def start(self) -> None:
        """Follow the outbox in the background."""
        self.worker.start()

    async def stop(self) -> None:
        """Finish the batch in hand and stop."""
        await self.worker.stop()

    async def hand_off(self) -> int:
        """Publish one batch of unsent mails; how many went."""
        async with (
            self.pool.connection() as conn,
            conn.transaction(),
            conn.cursor(row_factory=dict_row) as cur,
        ):
            await cur.execute(_UNSENT, (self.batch,))
            rows = await cur.fetchall()
            for row in rows:
                message = AccountEmailRequestedV1(
                    email_id=email_id(row["id"], row["created_at"]),
                    kind=AccountEmail(row["template"]),
                    to_email=row["to_email"],
                    to_name=row["to_name"],
                    language=row["language"],
                    link=row["link"],
                    requested_at=row["created_at"],
                )
                await self.bus.publish(ACCOUNT_EMAIL_REQUESTED_V1, message, message_id=message.email_id)
            if rows:
                await cur.execute(
                    "UPDATE outbox_emails SET sent_at = now(), link = NULL WHERE id = ANY(%s)",
                    ([row["id"] for row in rows],),
                )
        return len(rows)

    async def _drain(self) -> None:
        while await self.hand_off() and not self.worker.stopping:
            pass

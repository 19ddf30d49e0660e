"""A transactional outbox for services that are not event-sourced: facts saved with the change, then published.

``add`` writes the fact in the caller's transaction; ``OutboxPublisher`` publishes unpublished rows
in order and marks them. A crash between the PubAck and the mark republishes the same message id,
which JetStream drops as a duplicate inside its window.
"""

from __future__ import annotations

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from contracts import Envelope, Message
from plumbing.bus import Bus
from plumbing.logging import current_causation_id, current_correlation_id
from plumbing.worker import Loop

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id bigserial PRIMARY KEY,
    subject text NOT NULL,
    envelope jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz
);
CREATE INDEX IF NOT EXISTS outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
"""
_UNPUBLISHED = """
SELECT id, subject, envelope::text FROM outbox WHERE published_at IS NULL
ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED
"""


async def ensure_schema(pool: AsyncConnectionPool) -> None:
    """Create the outbox table if missing."""
    async with pool.connection() as conn:
        await conn.execute(SCHEMA)


async def add(conn: AsyncConnection, subject: str, message: Message, *, message_id: str) -> None:
    """Queue ``message`` for ``subject`` in the caller's transaction."""
    envelope = Envelope.wrap(
        message,
        message_id=message_id,
        correlation_id=current_correlation_id(),
        causation_id=current_causation_id(),
    )
    await conn.execute(
        "INSERT INTO outbox (subject, envelope) VALUES (%s, %s)", (subject, envelope.model_dump_json())
    )


class OutboxPublisher:
    """Publishes the outbox in order; replicas share the rows (SKIP LOCKED)."""

    def __init__(self, pool: AsyncConnectionPool, bus: Bus, *, batch: int = 100, poll_s: float = 1.0) -> None:
        self.pool = pool
        self.bus = bus
        self.batch = batch
        # NATS or PostgreSQL away: the rows stay and go on a later round.
        self.worker = Loop("outbox", self._drain, poll_s=poll_s)

    def start(self) -> None:
        """Follow the outbox in the background."""
        self.worker.start()

    def nudge(self) -> None:
        """Publish now (a row was just committed)."""
        self.worker.nudge()

    async def stop(self) -> None:
        """Finish the batch in hand and stop."""
        await self.worker.stop()

    async def publish_batch(self) -> int:
        """Publish one batch of queued facts; how many went."""
        async with self.pool.connection() as conn, conn.transaction():
            rows = await (await conn.execute(_UNPUBLISHED, (self.batch,))).fetchall()
            for _, subject, envelope in rows:
                await self.bus.publish_envelope(subject, Envelope.model_validate_json(envelope))
            if rows:
                await conn.execute(
                    "UPDATE outbox SET published_at = now() WHERE id = ANY(%s)", ([row[0] for row in rows],)
                )
        return len(rows)

    async def _drain(self) -> None:
        while await self.publish_batch() and not self.worker.stopping:
            pass

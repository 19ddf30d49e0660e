"""Processed-message records, so a handler's work happens once however often NATS redelivers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from contracts import Envelope, Message
from plumbing.logging import get_logger

log = get_logger(__name__)
Work = Callable[[AsyncConnection, Message, Envelope], Awaitable[None]]

SCHEMA = """
CREATE TABLE IF NOT EXISTS processed_messages (
    consumer text NOT NULL,
    message_id text NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, message_id)
)
"""


async def ensure_schema(pool: AsyncConnectionPool) -> None:
    """Create the processed_messages table if missing."""
    async with pool.connection() as conn:
        await conn.execute(SCHEMA)


async def first_delivery(conn: AsyncConnection, consumer: str, message_id: str) -> bool:
    """Record ``message_id`` for ``consumer`` in the caller's transaction; False if already recorded.

    A concurrent redelivery blocks on the primary key until the first transaction ends, then sees it.
    """
    cursor = await conn.execute(
        "INSERT INTO processed_messages (consumer, message_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
        (consumer, message_id),
    )
    return cursor.rowcount == 1


def once(
    pool: AsyncConnectionPool, consumer: str, work: Work
) -> Callable[[Message, Envelope], Awaitable[None]]:
    """A consumer handler that runs ``work`` and records the message in one transaction, at most once."""

    async def handle(message: Message, envelope: Envelope) -> None:
        async with pool.connection() as conn, conn.transaction():
            if not await first_delivery(conn, consumer, envelope.message_id):
                log.info("consumer.duplicate_skipped")
                return
            await work(conn, message, envelope)

    return handle

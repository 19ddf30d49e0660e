"""How often the files service failed to name an event's attachments, so retries end (own transactions)."""

from __future__ import annotations

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

SCHEMA = """
CREATE TABLE IF NOT EXISTS attachment_name_misses (
    event_id text PRIMARY KEY,
    misses integer NOT NULL,
    last_at timestamptz NOT NULL DEFAULT now()
)
"""


async def ensure_schema(pool: AsyncConnectionPool) -> None:
    """Create the table if missing."""
    async with pool.connection() as conn:
        await conn.execute(SCHEMA)


async def missed(pool: AsyncConnectionPool, event_id: str) -> int:
    """Count one more failed lookup for ``event_id`` (committed at once: it must outlive the retry)."""
    async with pool.connection() as conn:
        cursor = await conn.execute(
            "INSERT INTO attachment_name_misses (event_id, misses) VALUES (%s, 1) ON CONFLICT (event_id)"
            " DO UPDATE SET misses = attachment_name_misses.misses + 1, last_at = now() RETURNING misses",
            (event_id,),
        )
        row = await cursor.fetchone()
    return int(row[0]) if row else 1


async def forget(conn: AsyncConnection, event_id: str) -> None:
    """The event was handled: its count is no longer needed (in the caller's transaction)."""
    await conn.execute("DELETE FROM attachment_name_misses WHERE event_id = %s", (event_id,))

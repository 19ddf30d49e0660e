"""The ``seen_mail`` table: every mail handled, by (UIDVALIDITY, UID) and Message-ID, with its outcome."""

from __future__ import annotations

from psycopg_pool import AsyncConnectionPool

SCHEMA = """
CREATE TABLE IF NOT EXISTS seen_mail (
    uidvalidity bigint NOT NULL,
    uid bigint NOT NULL,
    message_id text NOT NULL,
    outcome text NOT NULL,
    reason text,
    seen_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (uidvalidity, uid)
);
CREATE INDEX IF NOT EXISTS seen_mail_message_id ON seen_mail (message_id);
"""


class SeenMail:
    """What mail-ingest has already handled; a mail is recorded only after its publish was acked."""

    def __init__(self, pool: AsyncConnectionPool) -> None:
        self.pool = pool

    async def ensure_schema(self) -> None:
        """Create the table if missing."""
        async with self.pool.connection() as conn:
            await conn.execute(SCHEMA)

    async def last_uid(self, uidvalidity: int) -> int:
        """The highest UID handled under this UIDVALIDITY (0: none, e.g. after a UIDVALIDITY change)."""
        async with self.pool.connection() as conn:
            cursor = await conn.execute(
                "SELECT coalesce(max(uid), 0) FROM seen_mail WHERE uidvalidity = %s", (uidvalidity,)
            )
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def known(self, message_id: str) -> bool:
        """Whether a mail with this Message-ID was handled (under any UIDVALIDITY)."""
        async with self.pool.connection() as conn:
            cursor = await conn.execute(
                "SELECT 1 FROM seen_mail WHERE message_id = %s LIMIT 1", (message_id,)
            )
            return await cursor.fetchone() is not None

    async def record(
        self, uidvalidity: int, uid: int, message_id: str, outcome: str, reason: str | None
    ) -> None:
        """Remember one handled mail (a second record of the same UID changes nothing)."""
        async with self.pool.connection() as conn:
            await conn.execute(
                "INSERT INTO seen_mail (uidvalidity, uid, message_id, outcome, reason)"
                " VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (uidvalidity, uid, message_id, outcome, reason),
            )

"""The ``seen_mail`` table: every mail handled, by (UIDVALIDITY, UID) and Message-ID, with its outcome."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from contracts.mail import HandledMail, MailOutcome
from mail_ingest.triage import Outcome

# Replicas start together: one of them creates and alters the table at a time.
_SCHEMA_LOCK = 0x6D61696C5F696E67  # "mail_ing"
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
-- Added with the quarantine list and the sender cap; tables from before gain the columns in place.
ALTER TABLE seen_mail
    ADD COLUMN IF NOT EXISTS sender text,
    ADD COLUMN IF NOT EXISTS subject text NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS mail_date timestamptz,
    ADD COLUMN IF NOT EXISTS size bigint,
    ADD COLUMN IF NOT EXISTS retries integer NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS retried_at timestamptz;
CREATE INDEX IF NOT EXISTS seen_mail_sender ON seen_mail (sender, seen_at)
    WHERE outcome IN ('requested', 'replied');
CREATE INDEX IF NOT EXISTS seen_mail_outcome ON seen_mail (outcome, seen_at DESC);
"""
# What opened or answered something (what the sender cap counts, and what a retry must not repeat).
PUBLISHED = ("requested", "replied", "bounced")
_COLUMNS = (
    "uidvalidity, uid, message_id, sender, subject, mail_date AS date, size, outcome, reason, seen_at, "
    "retries, retried_at"
)


class SeenMail:
    """What mail-ingest has already handled; a mail is recorded only after its publish was acked."""

    def __init__(self, pool: AsyncConnectionPool) -> None:
        self.pool = pool

    async def ensure_schema(self) -> None:
        """Create the table (or bring an older one up to date) if needed."""
        async with self.pool.connection() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            await conn.execute(SCHEMA)

    async def last_uid(self, uidvalidity: int) -> int:
        """The highest UID handled under this UIDVALIDITY (0: none, e.g. after a UIDVALIDITY change)."""
        async with self.pool.connection() as conn:
            cursor = await conn.execute(
                "SELECT coalesce(max(uid), 0) FROM seen_mail WHERE uidvalidity = %s", (uidvalidity,)
            )
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def known(self, message_id: str, *, besides: tuple[int, int] | None = None) -> bool:
        """Whether a mail with this Message-ID was handled (under any UIDVALIDITY).

        ``besides``: a retry of (UIDVALIDITY, UID) asks whether another copy was published already.
        """
        query = "SELECT 1 FROM seen_mail WHERE message_id = %s"
        params: list[Any] = [message_id]
        if besides is not None:
            query += " AND (uidvalidity, uid) <> (%s, %s) AND outcome = ANY(%s)"
            params += [*besides, list(PUBLISHED)]
        async with self.pool.connection() as conn:
            cursor = await conn.execute(query + " LIMIT 1", params)
            return await cursor.fetchone() is not None

    async def published_by(self, sender: str) -> int:
        """How many mails from ``sender`` opened or answered a ticket in the last hour."""
        async with self.pool.connection() as conn:
            cursor = await conn.execute(
                "SELECT count(*) FROM seen_mail WHERE sender = %s AND outcome IN ('requested', 'replied')"
                " AND seen_at > now() - interval '1 hour'",
                (sender,),
            )
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def record(self, uidvalidity: int, uid: int, outcome: Outcome, size: int | None) -> None:
        """Remember one handled mail (a second record of the same UID changes nothing)."""
        summary = outcome.summary
        async with self.pool.connection() as conn:
            await conn.execute(
                "INSERT INTO seen_mail (uidvalidity, uid, message_id, outcome, reason, sender, subject,"
                " mail_date, size) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (
                    uidvalidity,
                    uid,
                    outcome.message_id,
                    outcome.outcome,
                    outcome.reason,
                    summary.sender,
                    summary.subject,
                    summary.date,
                    size,
                ),
            )

    async def replace(self, uidvalidity: int, uid: int, outcome: Outcome, size: int | None) -> None:
        """A retry's result replaces the recorded outcome and counts the retry."""
        summary = outcome.summary
        async with self.pool.connection() as conn:
            await conn.execute(
                "UPDATE seen_mail SET message_id = %s, outcome = %s, reason = %s, sender = %s,"
                " subject = %s, mail_date = %s, size = %s, retries = retries + 1, retried_at = now()"
                " WHERE uidvalidity = %s AND uid = %s",
                (
                    outcome.message_id,
                    outcome.outcome,
                    outcome.reason,
                    summary.sender,
                    summary.subject,
                    summary.date,
                    size,
                    uidvalidity,
                    uid,
                ),
            )

    async def get(self, uidvalidity: int, uid: int) -> HandledMail | None:
        """One recorded mail, or None."""
        async with self.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cursor:
            await cursor.execute(
                f"SELECT {_COLUMNS} FROM seen_mail WHERE uidvalidity = %s AND uid = %s",  # noqa: S608
                (uidvalidity, uid),
            )
            row = await cursor.fetchone()
        return _handled(row) if row else None

    async def page(
        self, outcomes: Sequence[MailOutcome], limit: int, offset: int
    ) -> tuple[list[HandledMail], int]:
        """Mail with any of ``outcomes``, latest first, and how many there are in all."""
        async with self.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cursor:
            await cursor.execute(
                f"SELECT {_COLUMNS}, count(*) OVER () AS total FROM seen_mail WHERE outcome = ANY(%s)"  # noqa: S608
                " ORDER BY seen_at DESC, uid DESC LIMIT %s OFFSET %s",
                ([outcome.value for outcome in outcomes], limit, offset),
            )
            rows = await cursor.fetchall()
        return [_handled(row) for row in rows], int(rows[0]["total"]) if rows else 0


def _handled(row: dict[str, Any]) -> HandledMail:
    return HandledMail.model_validate(
        {
            **row,
            "id": f"{row['uidvalidity']}-{row['uid']}",
            "message_id": row["message_id"][:500],
            "sender": (row["sender"] or "")[:500] or None,
            "subject": (row["subject"] or "")[:500],
        }
    )

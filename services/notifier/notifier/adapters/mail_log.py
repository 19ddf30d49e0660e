"""What the notifier sent or skipped (and why), and the addresses that bounced; all in the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from contracts.accounts import AccountEmail
from notifier.domain.limits import Recent

SCHEMA = """
CREATE TABLE IF NOT EXISTS mail_log (
    event_id text PRIMARY KEY,
    kind text NOT NULL,
    ticket_id text,
    address text NOT NULL,
    outcome text NOT NULL,
    reason text,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS mail_log_address ON mail_log (address, at) WHERE outcome = 'sent';
CREATE INDEX IF NOT EXISTS mail_log_ticket ON mail_log (ticket_id, at) WHERE outcome = 'sent';
CREATE TABLE IF NOT EXISTS flagged_addresses (
    address text PRIMARY KEY,
    ticket_id text NOT NULL,
    status text NOT NULL,
    diagnostic text NOT NULL,
    flagged_at timestamptz NOT NULL
);
"""
SENT, SKIPPED = "sent", "skipped"
_ACCOUNT_KINDS = [kind.value for kind in AccountEmail]
# Replicas start together: one of them creates the tables at a time.
_SCHEMA_LOCK = 0x6E6F74696669  # "notifi"


async def ensure_schema(pool: AsyncConnectionPool) -> None:
    """Create the tables if missing."""
    async with pool.connection() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
        await conn.execute(SCHEMA)


async def lock_address(conn: AsyncConnection, address: str) -> None:
    """Serialise mails to one address until the transaction ends, so replicas count caps exactly."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (address,))


async def recent(conn: AsyncConnection, ticket_id: str | None, address: str) -> Recent:
    """Mails sent in the last hour about ``ticket_id`` and to ``address`` (one index scan each)."""
    cursor = await conn.execute(
        "SELECT count(*) FILTER (WHERE ticket_id = %s), count(*) FILTER (WHERE address = %s) FROM mail_log"
        " WHERE outcome = 'sent' AND at > now() - interval '1 hour' AND (address = %s OR ticket_id = %s)",
        (ticket_id, address, address, ticket_id),
    )
    row = await cursor.fetchone()
    return Recent(int(row[0]), int(row[1])) if row else Recent(0, 0)


async def account_mails(conn: AsyncConnection, address: str) -> int:
    """Account mails (verification, reset) sent to ``address`` in the last hour."""
    # By kind: chat transcripts have no ticket either, and must not use up an address's resets.
    cursor = await conn.execute(
        "SELECT count(*) FROM mail_log WHERE outcome = 'sent' AND address = %s AND ticket_id IS NULL"
        " AND kind = ANY(%s) AND at > now() - interval '1 hour'",
        (address, _ACCOUNT_KINDS),
    )
    row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def record(
    conn: AsyncConnection,
    event_id: str,
    *,
    kind: str,
    ticket_id: str | None,
    address: str,
    outcome: str,
    reason: str | None = None,
) -> None:
    """One mail sent or skipped (a repeat of the same event changes nothing)."""
    await conn.execute(
        "INSERT INTO mail_log (event_id, kind, ticket_id, address, outcome, reason)"
        " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (event_id) DO NOTHING",
        (event_id, kind, ticket_id, address, outcome, reason),
    )


async def recorded(conn: AsyncConnection, event_id: str) -> bool:
    """Whether the mail for ``event_id`` was already sent or skipped."""
    cursor = await conn.execute("SELECT 1 FROM mail_log WHERE event_id = %s", (event_id,))
    return await cursor.fetchone() is not None


async def flag(
    conn: AsyncConnection, address: str, *, ticket_id: str, status: str, diagnostic: str, at: datetime
) -> None:
    """Stop mailing ``address``: our mail to it bounced."""
    await conn.execute(
        "INSERT INTO flagged_addresses (address, ticket_id, status, diagnostic, flagged_at)"
        " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (address) DO UPDATE SET ticket_id = excluded.ticket_id,"
        " status = excluded.status, diagnostic = excluded.diagnostic, flagged_at = excluded.flagged_at",
        (address, ticket_id, status, diagnostic, at),
    )


async def clear(conn: AsyncConnection, address: str) -> bool:
    """Mail ``address`` again (it wrote to us); True if it was flagged."""
    cursor = await conn.execute("DELETE FROM flagged_addresses WHERE address = %s", (address,))
    return cursor.rowcount > 0


async def flagged(conn: AsyncConnection, address: str) -> bool:
    """Whether mail to ``address`` bounced and it has not written to us since."""
    cursor = await conn.execute("SELECT 1 FROM flagged_addresses WHERE address = %s", (address,))
    return await cursor.fetchone() is not None

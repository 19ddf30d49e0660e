"""The notifier's own read model of tickets: what Opened said that later events do not repeat."""

from __future__ import annotations

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from notifier.domain.notifications import KnownTicket

SCHEMA = """
CREATE TABLE IF NOT EXISTS known_tickets (
    ticket_id text PRIMARY KEY,
    number bigint NOT NULL,
    subject text NOT NULL,
    customer_email text NOT NULL,
    customer_name text NOT NULL
)
"""


async def ensure_schema(pool: AsyncConnectionPool) -> None:
    """Create the known_tickets table if missing."""
    async with pool.connection() as conn:
        await conn.execute(SCHEMA)


async def remember(conn: AsyncConnection, ticket: KnownTicket) -> None:
    """Keep (or refresh) a ticket, in the caller's transaction."""
    await conn.execute(
        "INSERT INTO known_tickets (ticket_id, number, subject, customer_email, customer_name)"
        " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (ticket_id) DO UPDATE SET number = excluded.number,"
        " subject = excluded.subject, customer_email = excluded.customer_email,"
        " customer_name = excluded.customer_name",
        (ticket.ticket_id, ticket.number, ticket.subject, ticket.customer_email, ticket.customer_name),
    )


async def lookup(conn: AsyncConnection, ticket_id: str) -> KnownTicket | None:
    """The ticket as its Opened event described it, or None if we never heard of it."""
    cursor = await conn.execute(
        "SELECT ticket_id, number, subject, customer_email, customer_name FROM known_tickets"
        " WHERE ticket_id = %s",
        (ticket_id,),
    )
    row = await cursor.fetchone()
    return None if row is None else KnownTicket(row[0], row[1], row[2], row[3], row[4])

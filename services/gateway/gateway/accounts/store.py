"""SQL for accounts, one-time tokens and the email outbox; every function runs in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from psycopg import AsyncConnection
from psycopg.rows import class_row

from gateway.domain.principal import Kind

_ACCOUNT = """
    SELECT id, kind, email, name, password_hash, departments,
           email_verified_at IS NOT NULL AS email_verified, created_at
    FROM accounts
"""


@dataclass(frozen=True)
class Account:
    """An account as stored (the password only as its argon2 hash)."""

    id: UUID
    kind: Kind
    email: str
    name: str
    password_hash: str
    departments: list[str]
    email_verified: bool
    created_at: datetime


async def insert_account(
    conn: AsyncConnection,
    account_id: UUID,
    kind: Kind,
    email: str,
    name: str,
    password_hash: str,
    *,
    departments: tuple[str, ...] = (),
    language: str = "pt-BR",
    verified: bool = False,
) -> bool:
    """Add an account; False (and nothing written) when the address is already registered."""
    cursor = await conn.execute(
        """
        INSERT INTO accounts (id, kind, email, name, password_hash, departments, language, email_verified_at)
        VALUES (%s, %s, %s, %s, %s, %s, %s, CASE WHEN %s THEN now() END)
        ON CONFLICT (email) DO NOTHING
        """,
        (account_id, kind, email, name, password_hash, list(departments), language, verified),
    )
    return cursor.rowcount == 1


async def account_by_email(conn: AsyncConnection, email: str) -> Account | None:
    """The account registered under a normalised address, if any."""
    async with conn.cursor(row_factory=class_row(Account)) as cursor:
        await cursor.execute(_ACCOUNT + " WHERE email = %s", (email,))
        return await cursor.fetchone()


async def account_by_id(conn: AsyncConnection, account_id: UUID) -> Account | None:
    """The account with this id, if any."""
    async with conn.cursor(row_factory=class_row(Account)) as cursor:
        await cursor.execute(_ACCOUNT + " WHERE id = %s", (account_id,))
        return await cursor.fetchone()


async def staff(conn: AsyncConnection) -> list[Account]:
    """Every agent and admin, by address."""
    async with conn.cursor(row_factory=class_row(Account)) as cursor:
        await cursor.execute(_ACCOUNT + " WHERE kind IN ('agent', 'admin') ORDER BY email")
        return await cursor.fetchall()


async def staff_by_ids(conn: AsyncConnection, ids: list[UUID]) -> list[Account]:
    """The agents and admins among ``ids`` (others, and unknown ids, are left out)."""
    async with conn.cursor(row_factory=class_row(Account)) as cursor:
        await cursor.execute(_ACCOUNT + " WHERE id = ANY(%s) AND kind IN ('agent', 'admin')", (ids,))
        return await cursor.fetchall()


async def set_password(conn: AsyncConnection, account_id: UUID, password_hash: str) -> None:
    """Replace the stored hash."""
    await conn.execute("UPDATE accounts SET password_hash = %s WHERE id = %s", (password_hash, account_id))


async def mark_verified(conn: AsyncConnection, account_id: UUID) -> None:
    """Record that the owner proved they read the address (the first proof's time is kept)."""
    await conn.execute(
        "UPDATE accounts SET email_verified_at = coalesce(email_verified_at, now()) WHERE id = %s",
        (account_id,),
    )


async def add_one_time_token(
    conn: AsyncConnection, token_hash: bytes, account_id: UUID, purpose: str, lifetime: timedelta
) -> None:
    """Keep the digest of a one-time link's token, valid for ``lifetime``."""
    await conn.execute(
        """
        INSERT INTO one_time_tokens (token_hash, account_id, purpose, expires_at)
        VALUES (%s, %s, %s, now() + %s)
        """,
        (token_hash, account_id, purpose, lifetime),
    )


async def use_one_time_token(conn: AsyncConnection, token_hash: bytes, purpose: str) -> UUID | None:
    """Spend a live token (once: a concurrent second use waits, then finds it used); its account."""
    cursor = await conn.execute(
        """
        UPDATE one_time_tokens SET used_at = now()
        WHERE token_hash = %s AND purpose = %s AND used_at IS NULL AND expires_at > now()
        RETURNING account_id
        """,
        (token_hash, purpose),
    )
    row = await cursor.fetchone()
    return None if row is None else UUID(str(row[0]))


async def drop_unused_tokens(conn: AsyncConnection, account_id: UUID, purpose: str) -> None:
    """Void the account's outstanding links of one purpose (a newer link or a reset replaces them)."""
    await conn.execute(
        "DELETE FROM one_time_tokens WHERE account_id = %s AND purpose = %s AND used_at IS NULL",
        (account_id, purpose),
    )


async def queue_email(
    conn: AsyncConnection, template: str, to_email: str, to_name: str, language: str, link: str | None
) -> None:
    """Leave a mail for the notifier to send; written with the change it announces."""
    await conn.execute(
        """
        INSERT INTO outbox_emails (template, to_email, to_name, language, link)
        VALUES (%s, %s, %s, %s, %s)
        """,
        (template, to_email, to_name, language, link),
    )

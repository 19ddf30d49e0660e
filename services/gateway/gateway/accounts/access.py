"""SQL for the credentials a request carries: browser sessions and API tokens, looked up by digest."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection
from psycopg.rows import class_row

from gateway.domain.principal import Kind

# last_seen_at is written at most this often: a request usually only reads.
_TOUCH_EVERY = timedelta(minutes=5)


@dataclass(frozen=True)
class Holder:
    """The account behind a live credential (and, for a session, its CSRF token's digest)."""

    id: UUID
    kind: Kind
    email: str
    name: str
    email_verified: bool
    departments: list[str]
    csrf_hash: bytes | None


@dataclass(frozen=True)
class ApiToken:
    """An API token as listed (never its secret)."""

    id: UUID
    name: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime


async def add_session(
    conn: AsyncConnection, id_hash: bytes, csrf_hash: bytes, account_id: UUID, lifetime: timedelta
) -> None:
    """Open a session that ends after ``lifetime`` at the latest; expired ones of the account go."""
    await conn.execute("DELETE FROM sessions WHERE account_id = %s AND expires_at <= now()", (account_id,))
    await conn.execute(
        "INSERT INTO sessions (id_hash, csrf_hash, account_id, expires_at) VALUES (%s, %s, %s, now() + %s)",
        (id_hash, csrf_hash, account_id, lifetime),
    )


# Each statement looks up the credentials of every request that arrived meanwhile (accounts.lookups).
_SESSIONS = """
    WITH touched AS (
        UPDATE sessions SET last_seen_at = now()
        WHERE id_hash = ANY(%(h)s) AND last_seen_at < now() - %(touch)s
          AND last_seen_at > now() - %(idle)s AND expires_at > now()
    )
    SELECT s.id_hash, a.id, a.kind, a.email, a.name, a.email_verified_at IS NOT NULL AS email_verified,
           a.departments, s.csrf_hash
    FROM sessions s JOIN accounts a ON a.id = s.account_id
    WHERE s.id_hash = ANY(%(h)s) AND s.expires_at > now() AND s.last_seen_at > now() - %(idle)s
"""
_TOKENS = """
    WITH touched AS (
        UPDATE api_tokens SET last_used_at = now()
        WHERE token_hash = ANY(%(h)s) AND expires_at > now()
          AND (last_used_at IS NULL OR last_used_at < now() - %(touch)s)
    )
    SELECT t.token_hash, a.id, a.kind, a.email, a.name, a.email_verified_at IS NOT NULL AS email_verified,
           a.departments, NULL::bytea AS csrf_hash
    FROM api_tokens t JOIN accounts a ON a.id = t.account_id
    WHERE t.token_hash = ANY(%(h)s) AND t.expires_at > now()
"""


async def session_holders(
    conn: AsyncConnection, id_hashes: Sequence[bytes], idle: timedelta
) -> dict[bytes, Holder]:
    """The accounts of the live sessions among ``id_hashes``, by digest; notes their activity now and then."""
    cursor = await conn.execute(
        _SESSIONS, {"h": list(id_hashes), "idle": idle, "touch": _TOUCH_EVERY}, prepare=True
    )
    return _holders(await cursor.fetchall())


async def drop_session(conn: AsyncConnection, id_hash: bytes) -> None:
    """End one session."""
    await conn.execute("DELETE FROM sessions WHERE id_hash = %s", (id_hash,))


async def drop_every_credential(conn: AsyncConnection, account_id: UUID) -> None:
    """End every session and revoke every API token of an account (after a password reset)."""
    await conn.execute("DELETE FROM sessions WHERE account_id = %s", (account_id,))
    await conn.execute("DELETE FROM api_tokens WHERE account_id = %s", (account_id,))


async def add_api_token(
    conn: AsyncConnection, token_id: UUID, token_hash: bytes, account_id: UUID, name: str, lifetime: timedelta
) -> ApiToken:
    """Keep the digest of a new API token; the token as listed."""
    async with conn.cursor(row_factory=class_row(ApiToken)) as cursor:
        await cursor.execute(
            """
            INSERT INTO api_tokens (id, token_hash, account_id, name, expires_at)
            VALUES (%s, %s, %s, %s, now() + %s)
            RETURNING id, name, created_at, last_used_at, expires_at
            """,
            (token_id, token_hash, account_id, name, lifetime),
        )
        row = await cursor.fetchone()
    assert row is not None
    return row


async def token_holders(conn: AsyncConnection, token_hashes: Sequence[bytes]) -> dict[bytes, Holder]:
    """The accounts of the live API tokens among ``token_hashes``, by digest; notes their use now and then."""
    cursor = await conn.execute(_TOKENS, {"h": list(token_hashes), "touch": _TOUCH_EVERY}, prepare=True)
    return _holders(await cursor.fetchall())


def _holders(rows: Sequence[tuple[Any, ...]]) -> dict[bytes, Holder]:
    return {bytes(key): Holder(*fields) for key, *fields in rows}


async def api_tokens(conn: AsyncConnection, account_id: UUID) -> list[ApiToken]:
    """An account's live API tokens, newest first."""
    async with conn.cursor(row_factory=class_row(ApiToken)) as cursor:
        await cursor.execute(
            """
            SELECT id, name, created_at, last_used_at, expires_at FROM api_tokens
            WHERE account_id = %s AND expires_at > now() ORDER BY created_at DESC
            """,
            (account_id,),
        )
        return await cursor.fetchall()


async def drop_api_token(
    conn: AsyncConnection, account_id: UUID, token_id: UUID | None = None, token_hash: bytes | None = None
) -> bool:
    """Revoke one of the account's tokens, by id or by digest; False when it has no such token."""
    cursor = await conn.execute(
        "DELETE FROM api_tokens WHERE account_id = %s AND (id = %s OR token_hash = %s)",
        (account_id, token_id, token_hash),
    )
    return cursor.rowcount > 0

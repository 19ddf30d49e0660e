"""Insights' PostgreSQL tables: every fact it received, once, and the records folded from them.

``facts`` is insights' own log: a fact is kept once (by message id) with its subject (a ticket or a
conversation) and its place in that subject's history (the aggregate version the relay puts in the
message id). A subject's record is the fold of all its facts, rewritten in the transaction that
keeps a new fact, under a lock on the subject so two consumers never fold a stale picture.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any, Literal

from psycopg import AsyncConnection, sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from contracts import Envelope, Message
from contracts.registry import REGISTRY
from insights.domain.records import ChatRecord, RatingRecord, StatusSpan, TicketRecord

Source = Literal["ticket", "chat"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS facts (
    message_id text PRIMARY KEY,
    source text NOT NULL,
    subject_id text NOT NULL,
    version bigint NOT NULL,
    type_key text NOT NULL,
    occurred_at timestamptz NOT NULL,
    data jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS facts_by_subject ON facts (source, subject_id, version);
CREATE TABLE IF NOT EXISTS ticket_records (
    ticket_id text PRIMARY KEY,
    number integer NOT NULL,
    department text,
    channel text NOT NULL,
    customer_email text NOT NULL,
    subject text NOT NULL,
    text text NOT NULL,
    opened_at timestamptz NOT NULL,
    first_response_at timestamptz,
    first_responder text,
    finished_at timestamptz,
    assignee text,
    spans jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS ticket_records_opened ON ticket_records (opened_at);
CREATE TABLE IF NOT EXISTS chat_records (
    conversation_id text PRIMARY KEY,
    department text NOT NULL,
    customer_email text NOT NULL,
    question text NOT NULL,
    text text NOT NULL,
    requested_at timestamptz NOT NULL,
    accepted_at timestamptz,
    waited_s double precision,
    agent_id text,
    closed_at timestamptz,
    outcome text,
    messages integer NOT NULL
);
CREATE INDEX IF NOT EXISTS chat_records_requested ON chat_records (requested_at);
CREATE TABLE IF NOT EXISTS ratings (
    kind text NOT NULL,
    subject_id text NOT NULL,
    department text,
    agent_id text,
    score integer NOT NULL,
    comment text NOT NULL,
    rated_at timestamptz NOT NULL,
    number integer,
    PRIMARY KEY (kind, subject_id)
);
CREATE INDEX IF NOT EXISTS ratings_rated ON ratings (rated_at);
"""
_TICKET_COLUMNS = tuple(TicketRecord.__dataclass_fields__)
_CHAT_COLUMNS = tuple(ChatRecord.__dataclass_fields__)
_RATING_COLUMNS = tuple(RatingRecord.__dataclass_fields__)


async def ensure_schema(conn: AsyncConnection[Any]) -> None:
    """Create the tables if missing."""
    await conn.execute(SCHEMA)


def version_of(envelope: Envelope) -> int:
    """The fact's place in its subject's history: the aggregate version ending the relay's message id."""
    return int(envelope.message_id.rsplit(":", 1)[-1])


async def keep(conn: AsyncConnection[Any], source: Source, subject_id: str, envelope: Envelope) -> bool:
    """Keep a fact once, holding its subject's lock until commit; False when it was already kept."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"{source}:{subject_id}",))
    cursor = await conn.execute(
        "INSERT INTO facts (message_id, source, subject_id, version, type_key, occurred_at, data) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (message_id) DO NOTHING",
        (
            envelope.message_id,
            source,
            subject_id,
            version_of(envelope),
            envelope.type_key,
            envelope.occurred_at,
            Jsonb(envelope.data),
        ),
    )
    return cursor.rowcount == 1


async def facts_of(conn: AsyncConnection[Any], source: Source, subject_id: str) -> list[Message]:
    """A subject's facts in the order they happened to it."""
    cursor = await conn.execute(
        "SELECT type_key, data FROM facts WHERE source = %s AND subject_id = %s ORDER BY version",
        (source, subject_id),
    )
    return [opened(type_key, data) for type_key, data in await cursor.fetchall()]


async def latest_version(conn: AsyncConnection[Any], source: Source, subject_id: str) -> int | None:
    """The highest version of a subject's kept facts (None: none kept)."""
    cursor = await conn.execute(
        "SELECT max(version) FROM facts WHERE source = %s AND subject_id = %s", (source, subject_id)
    )
    row = await cursor.fetchone()
    return None if row is None else row[0]


async def ticket_record(conn: AsyncConnection[Any], ticket_id: str) -> TicketRecord | None:
    """A ticket's stored record (None: none yet)."""
    async with conn.cursor(row_factory=dict_row) as cursor:
        await cursor.execute("SELECT * FROM ticket_records WHERE ticket_id = %s", (ticket_id,))
        row = await cursor.fetchone()
    return None if row is None else _ticket_of(row)


async def chat_record(conn: AsyncConnection[Any], conversation_id: str) -> ChatRecord | None:
    """A chat's stored record (None: none yet)."""
    async with conn.cursor(row_factory=dict_row) as cursor:
        await cursor.execute("SELECT * FROM chat_records WHERE conversation_id = %s", (conversation_id,))
        row = await cursor.fetchone()
    return None if row is None else ChatRecord(**row)


def opened(type_key: str, data: dict[str, Any]) -> Message:
    """A stored fact as its message class."""
    return REGISTRY.get(type_key).model_validate(data)


async def save_tickets(conn: AsyncConnection[Any], records: Sequence[TicketRecord]) -> None:
    """Insert or replace ticket records."""
    await _upsert(conn, "ticket_records", "ticket_id", _TICKET_COLUMNS, [_ticket_row(r) for r in records])


async def save_chats(conn: AsyncConnection[Any], records: Sequence[ChatRecord]) -> None:
    """Insert or replace chat records."""
    await _upsert(conn, "chat_records", "conversation_id", _CHAT_COLUMNS, [asdict(r) for r in records])


async def save_ratings(conn: AsyncConnection[Any], records: Sequence[RatingRecord]) -> None:
    """Insert or replace ratings, one per ticket or chat (a re-rating replaces the earlier)."""
    await _upsert(conn, "ratings", ("kind", "subject_id"), _RATING_COLUMNS, [asdict(r) for r in records])


def _ticket_row(record: TicketRecord) -> dict[str, Any]:
    row = asdict(record)
    row["spans"] = Jsonb(
        [[s.status, s.start.isoformat(), s.end.isoformat() if s.end else None] for s in record.spans]
    )
    return row


async def _upsert(
    conn: AsyncConnection[Any],
    table: str,
    key: str | tuple[str, ...],
    columns: Sequence[str],
    rows: Iterable[dict[str, Any]],
) -> None:
    keys = (key,) if isinstance(key, str) else key
    statement = sql.SQL(
        "INSERT INTO {table} ({columns}) VALUES ({values}) ON CONFLICT ({key}) DO UPDATE SET {updates}"
    ).format(
        table=sql.Identifier(table),
        columns=sql.SQL(", ").join(map(sql.Identifier, columns)),
        values=sql.SQL(", ").join(map(sql.Placeholder, columns)),
        key=sql.SQL(", ").join(map(sql.Identifier, keys)),
        updates=sql.SQL(", ").join(
            sql.SQL("{c} = EXCLUDED.{c}").format(c=sql.Identifier(c)) for c in columns if c not in keys
        ),
    )
    async with conn.cursor() as cursor:
        await cursor.executemany(statement, list(rows))


async def tickets_between(conn: AsyncConnection[Any], start: datetime, end: datetime) -> list[TicketRecord]:
    """Tickets opened in [start, end), or still open or finished in it (the figures sort them out)."""
    async with conn.cursor(row_factory=dict_row) as cursor:
        await cursor.execute(
            "SELECT * FROM ticket_records WHERE opened_at < %s AND (finished_at IS NULL OR finished_at >= %s "
            "OR opened_at >= %s)",
            (end, start, start),
        )
        return [_ticket_of(row) for row in await cursor.fetchall()]


async def chats_between(conn: AsyncConnection[Any], start: datetime, end: datetime) -> list[ChatRecord]:
    """Chats requested in [start, end)."""
    async with conn.cursor(row_factory=dict_row) as cursor:
        await cursor.execute(
            "SELECT * FROM chat_records WHERE requested_at >= %s AND requested_at < %s", (start, end)
        )
        return [ChatRecord(**row) for row in await cursor.fetchall()]


async def ratings_between(conn: AsyncConnection[Any], start: datetime, end: datetime) -> list[RatingRecord]:
    """Ratings given in [start, end)."""
    async with conn.cursor(row_factory=dict_row) as cursor:
        await cursor.execute("SELECT * FROM ratings WHERE rated_at >= %s AND rated_at < %s", (start, end))
        return [RatingRecord(**row) for row in await cursor.fetchall()]


def _ticket_of(row: dict[str, Any]) -> TicketRecord:
    spans = tuple(
        StatusSpan(status, datetime.fromisoformat(start), datetime.fromisoformat(end) if end else None)
        for status, start, end in (
            row["spans"] if isinstance(row["spans"], list) else json.loads(row["spans"])
        )
    )
    return TicketRecord(**(row | {"spans": spans}))

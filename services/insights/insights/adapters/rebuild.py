"""Every record dropped and folded again from the kept facts: the read models' rebuild from zero."""

from __future__ import annotations

import json
from dataclasses import astuple
from typing import Any

from psycopg import AsyncConnection

from contracts import Message
from insights.adapters.store import opened
from insights.domain.folding import fold_chat, fold_ticket
from insights.domain.records import ChatRecord, TicketRecord

# Facts are read and records written in batches this big (memory stays flat however many there are).
BATCH = 5_000


async def rebuild(conn: AsyncConnection[Any]) -> int:
    """Refold every ticket and chat in one transaction (consumers wait meanwhile); returns facts read."""
    read = 0
    tickets: list[TicketRecord] = []
    chats: list[ChatRecord] = []
    async with conn.transaction():
        # New facts wait for the rebuild (their consumers block on this lock), so none is missed.
        await conn.execute("LOCK TABLE facts IN SHARE MODE")
        await conn.execute("TRUNCATE ticket_records, chat_records")
        subject: tuple[str, str] | None = None
        facts: list[Message] = []
        async with conn.cursor(name="insights_rebuild") as cursor:
            await cursor.execute(
                "SELECT source, subject_id, type_key, data FROM facts ORDER BY source, subject_id, version"
            )
            while rows := await cursor.fetchmany(BATCH):
                for source, subject_id, type_key, data in rows:
                    if (source, subject_id) != subject:
                        _fold(subject, facts, tickets, chats)
                        subject, facts = (source, subject_id), []
                    facts.append(opened(type_key, data))
                read += len(rows)
                await _flush(conn, tickets, chats, BATCH)
            _fold(subject, facts, tickets, chats)
            await _flush(conn, tickets, chats, 0)
    return read


def _fold(
    subject: tuple[str, str] | None,
    facts: list[Message],
    tickets: list[TicketRecord],
    chats: list[ChatRecord],
) -> None:
    if subject is None:
        return
    if subject[0] == "ticket":
        if (ticket := fold_ticket(facts)) is not None:
            tickets.append(ticket)
    elif (chat := fold_chat(facts)) is not None:
        chats.append(chat)


async def _flush(
    conn: AsyncConnection[Any], tickets: list[TicketRecord], chats: list[ChatRecord], at_least: int
) -> None:
    """Copy the folded records out once there are ``at_least`` of a kind (0: whatever is left)."""
    if tickets and len(tickets) >= at_least:
        async with (
            conn.cursor() as cursor,
            cursor.copy(f"COPY ticket_records ({_columns(TicketRecord)}) FROM STDIN") as copy,
        ):
            for ticket in tickets:
                *head, spans = astuple(ticket)
                await copy.write_row(
                    [
                        *head,
                        json.dumps(
                            [[s[0], s[1].isoformat(), s[2].isoformat() if s[2] else None] for s in spans]
                        ),
                    ]
                )
        tickets.clear()
    if chats and len(chats) >= at_least:
        async with (
            conn.cursor() as cursor,
            cursor.copy(f"COPY chat_records ({_columns(ChatRecord)}) FROM STDIN") as copy,
        ):
            for chat in chats:
                await copy.write_row(astuple(chat))
        chats.clear()


def _columns(record: type[TicketRecord] | type[ChatRecord]) -> str:
    return ", ".join(record.__dataclass_fields__)

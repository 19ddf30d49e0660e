"""Every record dropped and folded again from the kept facts: the read models' rebuild from zero."""

from __future__ import annotations

import json
from dataclasses import astuple, dataclass, field
from typing import Any

from psycopg import AsyncConnection

from contracts import Message
from insights.adapters.store import opened
from insights.domain.folding import fold_chat, fold_rating, fold_ticket
from insights.domain.records import ChatRecord, RatingRecord, TicketRecord

# Facts are read and records written in batches this big (memory stays flat however many there are).
BATCH = 5_000


@dataclass
class _Folded:
    """Records folded and not yet copied out."""

    tickets: list[TicketRecord] = field(default_factory=list)
    chats: list[ChatRecord] = field(default_factory=list)
    ratings: list[RatingRecord] = field(default_factory=list)


async def rebuild(conn: AsyncConnection[Any]) -> int:
    """Refold every ticket, chat and rating in one transaction (consumers wait meanwhile); returns facts read."""
    read = 0
    folded = _Folded()
    async with conn.transaction():
        # New facts wait for the rebuild (their consumers block on this lock), so none is missed.
        await conn.execute("LOCK TABLE facts IN SHARE MODE")
        await conn.execute("TRUNCATE ticket_records, chat_records, ratings")
        subject: tuple[str, str] | None = None
        facts: list[Message] = []
        async with conn.cursor(name="insights_rebuild") as cursor:
            await cursor.execute(
                "SELECT source, subject_id, type_key, data FROM facts ORDER BY source, subject_id, version"
            )
            while rows := await cursor.fetchmany(BATCH):
                for source, subject_id, type_key, data in rows:
                    if (source, subject_id) != subject:
                        _fold(subject, facts, folded)
                        subject, facts = (source, subject_id), []
                    facts.append(opened(type_key, data))
                read += len(rows)
                await _flush(conn, folded, BATCH)
            _fold(subject, facts, folded)
            await _flush(conn, folded, 0)
    return read


def _fold(subject: tuple[str, str] | None, facts: list[Message], folded: _Folded) -> None:
    if subject is None:
        return
    if subject[0] == "ticket":
        if (ticket := fold_ticket(facts)) is not None:
            folded.tickets.append(ticket)
    elif (chat := fold_chat(facts)) is not None:
        folded.chats.append(chat)
    if (rating := fold_rating(facts)) is not None:
        folded.ratings.append(rating)


async def _flush(conn: AsyncConnection[Any], folded: _Folded, at_least: int) -> None:
    """Copy the folded records out once there are ``at_least`` of a kind (0: whatever is left)."""
    tickets, chats, ratings = folded.tickets, folded.chats, folded.ratings
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
    if ratings and len(ratings) >= at_least:
        async with (
            conn.cursor() as cursor,
            cursor.copy(f"COPY ratings ({_columns(RatingRecord)}) FROM STDIN") as copy,
        ):
            for rating in ratings:
                await copy.write_row(astuple(rating))
        ratings.clear()


def _columns(record: type[TicketRecord] | type[ChatRecord] | type[RatingRecord]) -> str:
    return ", ".join(record.__dataclass_fields__)

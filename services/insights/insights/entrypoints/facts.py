"""Ticket and chat facts from JetStream: kept once, and their subject's record and rating folded again."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from contracts import Envelope, Message
from insights.adapters import store
from insights.domain.folding import RATING_FACTS, fold_chat, fold_rating, fold_ticket
from plumbing.logging import get_logger

log = get_logger(__name__)


def subject_of(message: Message) -> tuple[store.Source, str] | None:
    """Which ticket or conversation a fact is about (None: it is about neither)."""
    if isinstance(ticket_id := getattr(message, "ticket_id", None), str):
        return "ticket", ticket_id
    if isinstance(conversation_id := getattr(message, "conversation_id", None), str):
        return "chat", conversation_id
    return None


def handle_facts(pool: AsyncConnectionPool) -> Callable[[Message, Envelope], Awaitable[None]]:
    """A consumer handler: keep the fact once, then rewrite its subject's records, in one transaction."""

    async def handle(message: Message, envelope: Envelope) -> None:
        about = subject_of(message)
        if about is None:
            return
        source, subject_id = about
        async with pool.connection() as conn, conn.transaction():
            if not await store.keep(conn, source, subject_id, envelope):
                log.info("insights.duplicate_skipped")
                return
            if await _folded_onto_record(conn, source, subject_id, message, envelope):
                return
            facts = await store.facts_of(conn, source, subject_id)
            if source == "ticket":
                if (ticket := fold_ticket(facts)) is not None:
                    await store.save_tickets(conn, [ticket])
            elif (chat := fold_chat(facts)) is not None:
                await store.save_chats(conn, [chat])
            if (rating := fold_rating(facts)) is not None:
                await store.save_ratings(conn, [rating])

    return handle


async def _folded_onto_record(
    conn: AsyncConnection[Any], source: store.Source, subject_id: str, message: Message, envelope: Envelope
) -> bool:
    """Fold a fact that came in order onto its subject's stored record, which is the fold of the facts
    before it; False when it came late, is a rating or has no record to go on: then fold them all.

    Folding every fact again read a chat's whole history back for each of its messages (quadratic).
    """
    if isinstance(message, RATING_FACTS):
        return False  # rare, and a rating's department may come from the ticket's opening
    if await store.latest_version(conn, source, subject_id) != store.version_of(envelope):
        return False
    if source == "ticket":
        ticket = await store.ticket_record(conn, subject_id)
        if ticket is None:
            return False
        if (folded_ticket := fold_ticket([message], ticket)) not in (None, ticket):
            await store.save_tickets(conn, [folded_ticket])
        return True
    chat = await store.chat_record(conn, subject_id)
    if chat is None:
        return False
    if (folded_chat := fold_chat([message], chat)) not in (None, chat):
        await store.save_chats(conn, [folded_chat])
    return True

"""Ticket and chat facts from JetStream: kept once, and their subject's record and rating folded again."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from psycopg_pool import AsyncConnectionPool

from contracts import Envelope, Message
from insights.adapters import store
from insights.domain.folding import fold_chat, fold_rating, fold_ticket
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
            facts = await store.facts_of(conn, source, subject_id)
            if source == "ticket":
                if (ticket := fold_ticket(facts)) is not None:
                    await store.save_tickets(conn, [ticket])
            elif (chat := fold_chat(facts)) is not None:
                await store.save_chats(conn, [chat])
            if (rating := fold_rating(facts)) is not None:
                await store.save_ratings(conn, [rating])

    return handle

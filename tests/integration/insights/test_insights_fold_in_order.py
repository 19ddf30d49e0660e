"""A fact that comes in order is folded onto its subject's stored record, without reading its history
back; one that comes late, or a rating, folds every fact again. Either way the record is the fold of
all the facts. Real PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from psycopg_pool import AsyncConnectionPool

from contracts import Envelope, Message
from contracts.chat import (
    ChatAcceptedV1,
    ChatClosedV1,
    ChatMessagePostedV1,
    ChatRequestedV1,
    ConversationStatus,
)
from contracts.common import ActorKind, Channel
from contracts.tickets import (
    TicketOpenedV1,
    TicketRatedV1,
    TicketRepliedV1,
    TicketStatus,
    TicketStatusChangedV1,
)
from insights.adapters import store
from insights.domain.folding import fold_chat, fold_ticket
from insights.entrypoints.facts import handle_facts
from plumbing import postgres

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CHAT = {"conversation_id": "c-1"}
TICKET = {"ticket_id": "t-1", "number": 1042, "customer_email": "maria@example.com"}


def at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


def a_long_chat(messages: int) -> list[Message]:
    said: list[Message] = [
        ChatMessagePostedV1(
            **CHAT,
            seq=n,
            author_kind=ActorKind.CUSTOMER if n % 2 else ActorKind.AGENT,
            author_id="joao@example.com" if n % 2 else "ana",
            text=f"mensagem {n}",
            posted_at=at(10 + n),
        )
        for n in range(1, messages + 1)
    ]
    return [
        ChatRequestedV1(
            **CHAT,
            department="Suporte",
            customer_email="joao@example.com",
            customer_name="João",
            question="O site caiu",
            requested_at=T0,
        ),
        ChatAcceptedV1(**CHAT, department="Suporte", agent_id="ana", waited_s=4.5, accepted_at=at(5)),
        *said,
        ChatClosedV1(
            **CHAT,
            department="Suporte",
            customer_email="joao@example.com",
            customer_name="João",
            agent_id="ana",
            closed_by=ActorKind.AGENT,
            status=ConversationStatus.CLOSED,
            messages=messages,
            closed_at=at(9_000),
        ),
    ]


def a_rated_ticket() -> list[Message]:
    def moved(before: TicketStatus, after: TicketStatus, seconds: int) -> TicketStatusChangedV1:
        return TicketStatusChangedV1(
            **TICKET, previous_status=before, status=after, changed_by=ActorKind.AGENT, changed_at=at(seconds)
        )

    W, P, A, F = (
        TicketStatus.WAITING,
        TicketStatus.IN_PROGRESS,
        TicketStatus.AWAITING_CUSTOMER,
        TicketStatus.FINISHED,
    )
    return [
        TicketOpenedV1(
            **TICKET,
            channel=Channel.PORTAL,
            customer_name="Maria",
            subject="Boleto não gera",
            body="Erro.",
            department="Financeiro",
            status=W,
            opened_at=T0,
        ),
        moved(W, P, 60),
        TicketRepliedV1(
            **TICKET,
            reply_id="r1",
            author_kind=ActorKind.AGENT,
            author_name="ana",
            body="Segue.",
            channel=Channel.PORTAL,
            replied_at=at(90),
        ),
        moved(P, A, 90),
        moved(A, F, 200),
        TicketRatedV1(**TICKET, department=None, agent_id="ana", score=5, comment="Ótimo", rated_at=at(300)),
    ]


@dataclass
class Insights:
    """Insights' fact handler on a fresh database, counting how often it reads a subject's history."""

    pool: AsyncConnectionPool
    reads: list[str] = field(default_factory=list)

    async def feed(self, prefix: str, facts: list[Message], order: list[int]) -> None:
        """Hand over the facts at these indexes, in this order (version = index + 1)."""
        handle = handle_facts(self.pool)
        for index in order:
            await handle(facts[index], Envelope.wrap(facts[index], message_id=f"{prefix}:{index + 1}"))


@pytest.fixture
async def insights(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Insights]:
    async with postgres.open_pool(postgres_url) as pool:
        async with pool.connection() as conn:
            await store.ensure_schema(conn)
        running = Insights(pool)
        history = store.facts_of

        async def counted(conn: Any, source: store.Source, subject_id: str) -> list[Message]:
            running.reads.append(subject_id)
            return await history(conn, source, subject_id)

        monkeypatch.setattr(store, "facts_of", counted)
        yield running


async def test_a_long_chat_is_not_read_back_per_message_and_a_late_message_folds_all(
    insights: Insights,
) -> None:
    facts = a_long_chat(messages=300)
    order = list(range(len(facts)))
    order[100], order[101] = order[101], order[100]  # message 100 comes after 101
    order.insert(50, 50)  # and one is redelivered
    await insights.feed("chat:c-1", facts, order)
    assert insights.reads == ["c-1", "c-1"], "once for the request (no record yet), once for the late one"
    async with insights.pool.connection() as conn:
        record = await store.chat_record(conn, "c-1")
    assert record == fold_chat(facts)
    assert record is not None and record.messages == 300 and record.outcome == "closed"


async def test_a_ticket_in_order_is_folded_on_and_its_rating_folds_all(insights: Insights) -> None:
    facts = a_rated_ticket()
    await insights.feed("tickets:t-1", facts, list(range(len(facts))))
    assert insights.reads == ["t-1", "t-1"], (
        "the opening (no record yet), the rating (the ticket's department)"
    )
    async with insights.pool.connection() as conn:
        assert await store.ticket_record(conn, "t-1") == fold_ticket(facts)
        cursor = await conn.execute("SELECT department, score FROM ratings WHERE subject_id = 't-1'")
        assert await cursor.fetchall() == [("Financeiro", 5)]

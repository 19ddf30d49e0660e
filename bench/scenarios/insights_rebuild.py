"""Insights' read models rebuilt from zero: every kept ticket and chat fact folded again."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from bench.scenarios import BenchContext, Sample, scenario
from contracts.chat import ChatAcceptedV1, ChatClosedV1, ChatMessagePostedV1, ChatRequestedV1
from contracts.common import ActorKind, Channel
from contracts.tickets import (
    TicketClosedV1,
    TicketOpenedV1,
    TicketRepliedV1,
    TicketStatus,
    TicketStatusChangedV1,
)
from devstack.postgres import ensure_database
from insights.adapters import store
from insights.adapters.rebuild import rebuild

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
DEPARTMENTS = ("Comercial", "Financeiro", "Suporte", "Websites")


def _ticket_facts(n: int) -> list[tuple[str, str, int, object]]:
    """A ticket's life in five facts: opened, worked on, answered, awaiting the customer, finished."""
    ticket = {"ticket_id": f"t-{n}", "number": 1000 + n, "customer_email": f"c{n % 997}@example.com"}
    at = T0 + timedelta(minutes=7 * n)
    W, P, A = TicketStatus.WAITING, TicketStatus.IN_PROGRESS, TicketStatus.AWAITING_CUSTOMER
    return [
        ("ticket", ticket["ticket_id"], 1, TicketOpenedV1(**ticket, channel=Channel.PORTAL, subject="Boleto não gera",
            body="Erro ao gerar a segunda via.", department=DEPARTMENTS[n % 4], status=W, opened_at=at)),
        ("ticket", ticket["ticket_id"], 2, TicketStatusChangedV1(**ticket, previous_status=W, status=P,
            changed_by=ActorKind.AGENT, changed_at=at + timedelta(minutes=5))),
        ("ticket", ticket["ticket_id"], 3, TicketRepliedV1(**ticket, reply_id=f"r{n}", author_kind=ActorKind.AGENT,
            author_name="ana", body="Segue.", channel=Channel.PORTAL, replied_at=at + timedelta(minutes=9))),
        ("ticket", ticket["ticket_id"], 4, TicketStatusChangedV1(**ticket, previous_status=P, status=A,
            changed_by=ActorKind.AGENT, changed_at=at + timedelta(minutes=9))),
        ("ticket", ticket["ticket_id"], 5, TicketClosedV1(**ticket, closed_by=ActorKind.CUSTOMER,
            closed_at=at + timedelta(hours=3))),
    ]  # fmt: skip


def _chat_facts(n: int) -> list[tuple[str, str, int, object]]:
    """A chat in five facts: requested, accepted, two messages, closed."""
    chat = {"conversation_id": f"c-{n}"}
    at = T0 + timedelta(minutes=3 * n)
    department = DEPARTMENTS[n % 4]
    return [
        ("chat", chat["conversation_id"], 1, ChatRequestedV1(**chat, department=department,
            customer_email="joao@example.com", customer_name="João", question="O site caiu", requested_at=at)),
        ("chat", chat["conversation_id"], 2, ChatAcceptedV1(**chat, department=department, agent_id="ana",
            waited_s=30.0, accepted_at=at + timedelta(seconds=30))),
        ("chat", chat["conversation_id"], 3, ChatMessagePostedV1(**chat, seq=3, author_kind=ActorKind.CUSTOMER,
            author_id="joao@example.com", text="Erro 500 na home", posted_at=at + timedelta(seconds=40))),
        ("chat", chat["conversation_id"], 4, ChatMessagePostedV1(**chat, seq=4, author_kind=ActorKind.AGENT,
            author_id="ana", text="Verificando.", posted_at=at + timedelta(seconds=50))),
        ("chat", chat["conversation_id"], 5, ChatClosedV1(**chat, department=department,
            customer_email="joao@example.com", customer_name="João", agent_id="ana", closed_by=ActorKind.AGENT,
            status="closed", messages=2, closed_at=at + timedelta(minutes=6))),
    ]  # fmt: skip


def _load(url: str, events: int) -> None:
    """``events`` facts, half of tickets and half of chats, copied straight into the facts table."""
    with psycopg.connect(url) as conn:
        with (
            conn.cursor() as cursor,
            cursor.copy(
                "COPY facts (message_id, source, subject_id, version, type_key, occurred_at, data) FROM STDIN"
            ) as copy,
        ):
            for n in range(events // 10):
                for source, subject_id, version, fact in (*_ticket_facts(n), *_chat_facts(n)):
                    data = fact.model_dump(mode="json")  # type: ignore[attr-defined]
                    key = fact.type_key()  # type: ignore[attr-defined]
                    copy.write_row(
                        (
                            f"{source}:{subject_id}:{version}",
                            source,
                            subject_id,
                            version,
                            key,
                            T0,
                            Jsonb(data),
                        )
                    )
        conn.commit()


@scenario("insights_rebuild", unit="events", baseline="pg_commit")
async def insights_rebuild(ctx: BenchContext) -> Sample:
    """Drop insights' records and fold them again from 100,000 kept facts (target ≥ 10,000 events/s)."""
    events = ctx.count(100_000, 10_000)
    database = ctx.unique("bench_insights").lower()
    url = ensure_database(ctx.endpoints.postgres_url, database)
    try:
        async with await psycopg.AsyncConnection.connect(url) as conn:
            await store.ensure_schema(conn)
            await conn.commit()
        await asyncio.to_thread(_load, url, events)
        async with await psycopg.AsyncConnection.connect(url) as conn:
            started = asyncio.get_running_loop().time()
            read = await rebuild(conn)
            seconds = asyncio.get_running_loop().time() - started
        return Sample(read, seconds, [], {"tickets": events // 10, "chats": events // 10})
    finally:
        with psycopg.connect(ctx.endpoints.postgres_url, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))

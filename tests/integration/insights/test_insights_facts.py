"""Insights keeps every ticket and chat fact once and folds each subject's record, on real NATS and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import psycopg
import pytest
from support.waiting import eventually

from contracts import Envelope
from contracts.chat import ChatRequestedV1
from contracts.common import Channel
from contracts.subjects import CHAT_REQUESTED_V1, TICKET_REQUESTED_V1
from contracts.tickets import TicketRequestedV1
from devstack.nats import NatsServer
from devstack.procs import free_port
from insights.adapters import store
from insights.adapters.rebuild import rebuild
from insights.bootstrap import bootstrap as insights_bootstrap
from insights.config import Settings as InsightsSettings
from insights.entrypoints.facts import handle_facts
from plumbing import postgres
from plumbing.bus import Bus
from tickets.bootstrap import bootstrap as tickets_bootstrap
from tickets.config import Settings as TicketsSettings
from tickets.store import open_tickets


@pytest.fixture
async def nats(tmp_path: Path) -> AsyncIterator[str]:
    """A NATS server of this test's own: fresh streams and durables."""
    server = NatsServer(port=free_port(), monitor_port=free_port(), store_dir=tmp_path / "nats")
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


def rows(postgres_url: str, query: str) -> list[tuple[object, ...]]:
    with psycopg.connect(postgres_url) as conn:
        return conn.execute(query).fetchall()


async def test_a_ticket_and_a_chat_become_records_and_a_redelivery_changes_nothing(
    nats: str, postgres_url: str
) -> None:
    common = {"nats_url": nats, "postgres_url": postgres_url, "ops_port": None}
    bus = await Bus.connect(nats, "insights-test")
    async with (
        tickets_bootstrap(TicketsSettings(**common)),
        insights_bootstrap(InsightsSettings(**common)),
        postgres.open_pool(postgres_url) as pool,
    ):
        await bus.publish(
            TICKET_REQUESTED_V1,
            TicketRequestedV1(
                request_id="email:<x1@example.com>", channel=Channel.EMAIL, customer_email="maria@example.com",
                customer_name="Maria", subject="Boleto não gera", body="Dá erro na segunda via.",
                department="Financeiro", received_at=datetime.now(UTC),
            ),
        )  # fmt: skip

        def opened() -> list[tuple[object, ...]]:
            return rows(postgres_url, "SELECT ticket_id, text, spans FROM ticket_records")

        await eventually(lambda: bool(opened()), what="the ticket's record")
        [(ticket_id, text, spans)] = opened()
        assert text == "Boleto não gera\nDá erro na segunda via."
        assert [status for status, _, _ in spans] == ["waiting"]  # type: ignore[attr-defined]

        async with open_tickets(postgres_url) as agents:
            ticket = agents.get(UUID(str(ticket_id)))
            ticket = agents.start_work(ticket.id, ticket.version, "ana")
            ticket = agents.add_note(ticket.id, ticket.version, note_id="n1", agent="ana", body="segredo")
            ticket = agents.reply(
                ticket.id, ticket.version, reply_id="r1", author_kind="agent", author="ana", body="Segue",
                channel="portal",
            )  # fmt: skip
            agents.finish(ticket.id, ticket.version, actor_kind="agent", actor="ana")

        def finished() -> list[tuple[object, ...]]:
            return rows(
                postgres_url,
                "SELECT first_responder, finished_at IS NOT NULL, jsonb_array_length(spans) FROM ticket_records",
            )

        try:
            await eventually(lambda: finished() == [("ana", True, 4)], timeout=30, what="the finished record")
        except AssertionError as late:  # say what did arrive, to tell a slow relay from a wrong fold
            kept_so_far = rows(postgres_url, "SELECT version, type_key FROM facts ORDER BY version")
            raise AssertionError(f"{late}; facts kept: {kept_so_far}; record: {finished()}") from None

        await bus.publish(
            CHAT_REQUESTED_V1,
            ChatRequestedV1(
                conversation_id="c-1", department="Suporte", customer_email="joao@example.com",
                customer_name="João", question="O site caiu", requested_at=datetime.now(UTC),
            ),
            message_id="chat:c-1:1",
        )  # fmt: skip
        await eventually(
            lambda: rows(postgres_url, "SELECT question FROM chat_records") == [("O site caiu",)],
            what="the chat's record",
        )

        # NATS redelivers: the same fact again keeps nothing twice and leaves the record as it was.
        kept = rows(postgres_url, "SELECT count(*) FROM facts")
        [(type_key, data, message_id)] = rows(
            postgres_url,
            "SELECT type_key, data, message_id FROM facts WHERE version = 1 AND source = 'ticket'",
        )
        again = Envelope(
            message_id=str(message_id), type=str(type_key).rsplit(".v", 1)[0], version=1,
            occurred_at=datetime.now(UTC), correlation_id="again", data=data,  # type: ignore[arg-type]
        )  # fmt: skip
        await handle_facts(pool)(store.opened(str(type_key), data), again)  # type: ignore[arg-type]
        assert rows(postgres_url, "SELECT count(*) FROM facts") == kept
        assert finished() == [("ana", True, 4)]

        # Dropped and folded again from the kept facts: the very same records.
        everything = (
            "SELECT * FROM ticket_records UNION ALL SELECT NULL, 0, NULL, NULL, NULL, NULL, text, "
            "requested_at, NULL, NULL, closed_at, agent_id, NULL FROM chat_records ORDER BY 1"
        )
        before = rows(postgres_url, everything)
        async with pool.connection() as conn:
            assert await rebuild(conn) == kept[0][0]
        assert rows(postgres_url, everything) == before
    await bus.close()

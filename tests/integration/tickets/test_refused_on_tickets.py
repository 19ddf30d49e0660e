"""Refused attachments of a mail on its ticket: the history shows them to customer and agent, rebuilds keep them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import psycopg
from support.waiting import eventually

from contracts import Envelope
from contracts.common import Channel
from contracts.subjects import (
    GET_TICKET_HISTORY_V1,
    TICKET_OPENED_V1,
    TICKET_REPLIED_V1,
    TICKET_REPLY_RECEIVED_V1,
    TICKET_REQUESTED_V1,
    TICKETS,
)
from contracts.ticket_queries import GetTicketHistoryV1, TicketHistoryV1
from contracts.tickets import RefusedAttachment, TicketReplyReceivedV1, TicketRequestedV1, ticket_id_for
from plumbing.bus import Bus
from tickets.bootstrap import bootstrap
from tickets.config import Settings
from tickets.views import schema
from tickets.views.rebuild import rebuild

NOW = datetime.now(UTC)
EXE = RefusedAttachment(filename="fatura.exe", reason_code="extension_not_allowed")
PDF = RefusedAttachment(filename="contrato.pdf", reason_code="pdf_broken")
BOMB = RefusedAttachment(filename="fotos.zip", reason_code="archive_ratio")


async def facts(bus: Bus, subject: str, ticket: str) -> list[Envelope]:
    info = await bus.js.stream_info(TICKETS.name)
    found = []
    for seq in range(info.state.first_seq, info.state.last_seq + 1) if info.state.messages else ():
        raw = await bus.js.get_msg(TICKETS.name, seq)
        if raw.subject == subject and raw.data is not None and ticket.encode() in raw.data:
            found.append(Envelope.from_bytes(raw.data))
    return found


def view_rows(postgres_url: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    with psycopg.connect(postgres_url) as conn:
        summary = conn.execute("SELECT * FROM ticket_summary ORDER BY number").fetchall()
        history = conn.execute("SELECT * FROM ticket_history ORDER BY ticket_id, version").fetchall()
    return summary, history


async def test_a_mails_refused_files_show_in_the_history_for_customer_and_agent_and_survive_a_rebuild(
    bus: Bus, nats_url: str, postgres_url: str
) -> None:
    settings = Settings(nats_url=nats_url, postgres_url=postgres_url, ops_port=None)
    token = uuid.uuid4().hex
    customer = f"maria-{token[:8]}@example.com"
    request = TicketRequestedV1(
        request_id=f"email:<{token}@example.com>",
        channel=Channel.EMAIL,
        customer_email=customer,
        customer_name="Maria",
        subject="Fatura",
        body="Segue a fatura e o contrato.",
        attachment_ids=[f"stored-{token}"],
        refused_attachments=[EXE, PDF],
        received_at=NOW,
    )
    ticket = ticket_id_for(request.request_id)
    answer = TicketReplyReceivedV1(
        request_id=f"email:<r-{token}@example.com>",
        ticket_id=ticket,
        threaded_by="in-reply-to",
        customer_email=customer,
        subject="Re: Fatura",
        body="E as fotos.",
        refused_attachments=[BOMB],
        received_at=NOW,
    )

    async def history(internal: bool) -> TicketHistoryV1:
        query = GetTicketHistoryV1(ticket_id=ticket, include_internal=internal)
        return await bus.request(GET_TICKET_HISTORY_V1, query, TicketHistoryV1)

    async with bootstrap(settings) as runtime:
        runtime.health.started = True
        await bus.publish(TICKET_REQUESTED_V1, request)
        await bus.publish(TICKET_REPLY_RECEIVED_V1, answer)
        await bus.publish(TICKET_REPLY_RECEIVED_V1, answer, message_id=f"again:{token}")  # as after a crash

        async def both_shown() -> bool:
            try:
                return [e.kind for e in (await history(True)).entries] == ["opened", "replied"]
            except Exception:
                return False  # not opened yet: a 404

        await eventually(both_shown, what="the ticket and the reply in the read model")
        for internal in (False, True):  # the customer sent those files: they learn why, like the agent
            opened, replied = (await history(internal)).entries
            assert opened.refused_attachments == [EXE, PDF]
            assert opened.attachment_ids == [f"stored-{token}"]
            assert replied.refused_attachments == [BOMB]

        async def published() -> bool:
            return bool(await facts(bus, TICKET_OPENED_V1, ticket)) and bool(
                await facts(bus, TICKET_REPLIED_V1, ticket)
            )

        await eventually(published, what="the facts for the notifier")
        [receipt] = await facts(bus, TICKET_OPENED_V1, ticket)
        assert receipt.data["refused_attachments"] == [
            {"filename": "fatura.exe", "reason_code": "extension_not_allowed"},
            {"filename": "contrato.pdf", "reason_code": "pdf_broken"},
        ]
        [reply_fact] = await facts(bus, TICKET_REPLIED_V1, ticket)
        assert reply_fact.data["refused_attachments"] == [
            {"filename": "fotos.zip", "reason_code": "archive_ratio"}
        ]

    before = view_rows(postgres_url)
    assert any([{"filename": "fotos.zip", "reason_code": "archive_ratio"}] in row for row in before[1])
    applied, _ = rebuild(postgres_url)
    assert applied == 2, "opened and one reply: the redelivered reply added nothing"
    assert view_rows(postgres_url) == before, "a rebuild from the events gives the same rows"


def test_a_history_table_of_the_previous_release_gains_the_column_and_old_rows_read_as_none(
    postgres_url: str,
) -> None:
    with psycopg.connect(postgres_url) as conn:
        schema.create(conn.cursor())
        conn.execute("ALTER TABLE ticket_history DROP COLUMN refused_attachments")  # as it was before
        conn.execute(
            "INSERT INTO ticket_history (ticket_id, version, kind, internal, actor_kind, actor, at)"
            " VALUES (gen_random_uuid(), 1, 'opened', false, 'customer', 'maria@example.com', now())"
        )
        schema.create(conn.cursor())  # what the service runs at start-up
        [(refused,)] = conn.execute("SELECT refused_attachments FROM ticket_history").fetchall()
    assert refused == []

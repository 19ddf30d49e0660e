"""The notifier as it runs: ticket events on JetStream → one email per event through real SMTP."""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime

import nats.js.errors
import pytest
from support.infra import Mail
from support.mails import received, text_of
from support.waiting import eventually

from contracts import REGISTRY, Envelope
from contracts.common import ActorKind, Channel
from contracts.subjects import (
    DEADLETTER,
    NOTIFIER_TICKETS_DURABLE,
    TICKET_CLOSED_V1,
    TICKET_OPENED_V1,
    TICKET_REPLIED_V1,
    TICKET_STATUS_CHANGED_V1,
    TICKETS,
)
from contracts.tickets import (
    TicketClosedV1,
    TicketOpenedV1,
    TicketRepliedV1,
    TicketStatus,
    TicketStatusChangedV1,
)
from devstack.procs import free_port
from notifier.adapters import known_tickets, mail_log
from notifier.adapters.templates import Templates
from notifier.bootstrap import bootstrap
from notifier.config import Settings
from notifier.entrypoints.consumer import handle_ticket_events
from plumbing import inbox
from plumbing.bus import Bus
from plumbing.errors import Unavailable
from plumbing.postgres import open_pool

NOW = datetime.now(UTC)


def events(ticket_id: str, customer: str) -> list[tuple[str, object]]:
    common = {"ticket_id": ticket_id, "number": 1042, "customer_email": customer}
    reply = {**common, "body": "Segue a segunda via.", "channel": Channel.PORTAL, "replied_at": NOW}
    return [
        (
            TICKET_OPENED_V1,
            TicketOpenedV1(
                **common,
                channel=Channel.PORTAL,
                customer_name="Maria",
                subject="Boleto vencido",
                status=TicketStatus.WAITING,
                opened_at=NOW,
            ),
        ),
        (
            TICKET_STATUS_CHANGED_V1,
            TicketStatusChangedV1(
                **common,
                previous_status=TicketStatus.WAITING,
                status=TicketStatus.IN_PROGRESS,
                changed_by=ActorKind.AGENT,
                changed_at=NOW,
            ),
        ),
        (
            TICKET_REPLIED_V1,
            TicketRepliedV1(**reply, reply_id="r1", author_kind=ActorKind.AGENT, author_name="a1"),
        ),
        (TICKET_REPLIED_V1, TicketRepliedV1(**reply, reply_id="r2", author_kind=ActorKind.CUSTOMER)),
        (TICKET_CLOSED_V1, TicketClosedV1(**common, closed_by=ActorKind.AGENT, closed_at=NOW)),
    ]


async def stream_envelopes(bus: Bus) -> list[Envelope]:
    info = await bus.js.stream_info(TICKETS.name)
    found = []
    for seq in range(info.state.first_seq, info.state.last_seq + 1) if info.state.messages else ():
        raw = await bus.js.get_msg(TICKETS.name, seq)
        assert raw.data is not None
        found.append(Envelope.from_bytes(raw.data))
    return found


@pytest.fixture
async def clean_stream(bus: Bus) -> None:
    """Only this test's events on TICKETS, and a durable that starts from its beginning."""
    await bus.ensure_streams([TICKETS, DEADLETTER])
    await bus.js.purge_stream(TICKETS.name)
    with contextlib.suppress(nats.js.errors.NotFoundError):
        await bus.js.delete_consumer(TICKETS.name, NOTIFIER_TICKETS_DURABLE.name)


@pytest.mark.usefixtures("clean_stream")
async def test_one_mail_per_event_threaded_on_the_ticket_and_never_twice(
    bus: Bus, nats_url: str, postgres_url: str, mail: Mail
) -> None:
    customer = f"maria-{uuid.uuid4().hex[:8]}@example.com"
    ticket_id = str(uuid.uuid4())
    settings = Settings(
        nats_url=nats_url,
        postgres_url=postgres_url,
        ops_port=None,
        smtp_host=mail.smtp_host,
        smtp_port=mail.smtp_port,
    )
    async with bootstrap(settings) as runtime:
        runtime.health.started = True
        for subject, message in events(ticket_id, customer):
            await bus.publish(subject, message)  # type: ignore[arg-type]
        await eventually(lambda: len(received(mail, customer)) >= 4, what="four notifications")
        envelopes = await stream_envelopes(bus)
        assert len(envelopes) == 5

    mails = received(mail, customer)
    assert len(mails) == 4, [m["Subject"] for m in mails]
    assert {m["Subject"] for m in mails} == {"[#1042] Boleto vencido"}
    root = f"<ticket-{ticket_id}@atende.local>"
    receipt, *later = sorted(mails, key=lambda m: m["In-Reply-To"] is not None)
    assert receipt["Message-ID"] == root
    assert all(m["In-Reply-To"] == root and m["References"] == root for m in later)
    assert len({m["Message-ID"] for m in mails}) == 4
    assert all(m["Auto-Submitted"] == "auto-generated" for m in mails)
    texts = [text_of(m) for m in mails]
    assert sum("Recebemos sua solicitação #1042" in t for t in texts) == 1
    assert sum('"Em andamento"' in t for t in texts) == 1
    assert sum("Segue a segunda via." in t for t in texts) == 1  # the agent's; the customer's sends none
    assert sum("Finalizado" in t and "14 dias" in t for t in texts) == 1
    assert all(f"http://127.0.0.1:8000/tickets/{ticket_id}" in t for t in texts)

    # The same envelopes again (as if past JetStream's dedupe window): the record stops every one.
    async with open_pool(postgres_url) as pool:
        handle = handle_ticket_events(pool, settings, Templates("pt-BR", settings.public_url))
        for envelope in envelopes:
            await handle(REGISTRY.open(envelope), envelope)
    assert len(received(mail, customer)) == 4


async def test_an_smtp_failure_records_nothing_and_the_retry_sends_once(
    postgres_url: str, nats_url: str, mail: Mail
) -> None:
    customer = f"joao-{uuid.uuid4().hex[:8]}@example.com"
    good = Settings(
        nats_url=nats_url,
        postgres_url=postgres_url,
        ops_port=None,
        smtp_host=mail.smtp_host,
        smtp_port=mail.smtp_port,
        smtp_timeout_s=5,
    )
    bad = good.model_copy(update={"smtp_port": free_port()})  # nothing listens there
    _, message = events(str(uuid.uuid4()), customer)[1]
    envelope = Envelope.wrap(message, message_id="tickets:test:2")
    async with open_pool(postgres_url) as pool:
        await inbox.ensure_schema(pool)
        await known_tickets.ensure_schema(pool)
        await mail_log.ensure_schema(pool)
        templates = Templates("pt-BR", good.public_url)
        with pytest.raises(Unavailable):  # the consumer will hold the mail until the server is back
            await handle_ticket_events(pool, bad, templates)(message, envelope)
        async with pool.connection() as conn:
            cursor = await conn.execute("SELECT count(*) FROM processed_messages")
            assert await cursor.fetchone() == (0,)
        await handle_ticket_events(pool, good, templates)(message, envelope)
        await handle_ticket_events(pool, good, templates)(message, envelope)
        async with pool.connection() as conn:
            cursor = await conn.execute("SELECT consumer, message_id FROM processed_messages")
            assert await cursor.fetchall() == [("notifier-tickets", "tickets:test:2")]
    await eventually(lambda: len(received(mail, customer)) >= 1, what="the retried mail")
    [sent] = received(mail, customer)
    assert sent["Subject"] == "[#1042]"  # a ticket we never heard open: the tag still threads
    assert "Em andamento" in text_of(sent)

"""Files in the notifier's mails on real NATS, PostgreSQL and SMTP: refused ones on the receipt, an
agent's listed by the names the files service gives (here a responder on its real subject), and the
files service away: retried through redelivery, then sent with "anexo N" and the links, once."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import nats.js.errors
import pytest
from support.infra import Mail
from support.mails import received, text_of
from support.waiting import eventually

from contracts import Envelope, Message
from contracts.common import ActorKind, Channel
from contracts.files import Attachment, AttachmentListV1, DescribeAttachmentsV1, OwnerKind
from contracts.subjects import (
    DEADLETTER,
    DESCRIBE_ATTACHMENTS_V1,
    NOTIFIER_TICKETS_DURABLE,
    TICKET_OPENED_V1,
    TICKET_REPLIED_V1,
    TICKETS,
)
from contracts.tickets import RefusedAttachment, TicketOpenedV1, TicketRepliedV1, TicketStatus
from notifier.adapters import known_tickets, mail_log, name_lookups
from notifier.adapters.files import describer
from notifier.adapters.templates import Templates
from notifier.bootstrap import bootstrap
from notifier.config import Settings
from notifier.entrypoints.consumer import FilesUnavailable, handle_ticket_events
from plumbing import inbox
from plumbing.bus import Bus
from plumbing.postgres import open_pool

NOW = datetime.now(UTC)
PUBLIC = "http://127.0.0.1:8000"


@pytest.fixture
async def clean_stream(bus: Bus) -> None:
    """Only this test's events on TICKETS, and a durable that starts from its beginning."""
    await bus.ensure_streams([TICKETS, DEADLETTER])
    await bus.js.purge_stream(TICKETS.name)
    with contextlib.suppress(nats.js.errors.NotFoundError):
        await bus.js.delete_consumer(TICKETS.name, NOTIFIER_TICKETS_DURABLE.name)


def settings_for(nats_url: str, postgres_url: str, mail: Mail, **extra: object) -> Settings:
    return Settings.model_validate(
        {
            "nats_url": nats_url,
            "postgres_url": postgres_url,
            "ops_port": None,
            "smtp_host": mail.smtp_host,
            "smtp_port": mail.smtp_port,
            "files_timeout_s": 1.0,
        }
        | extra
    )


def opened(ticket: str, customer: str, *refused: RefusedAttachment) -> TicketOpenedV1:
    return TicketOpenedV1(
        ticket_id=ticket,
        number=1042,
        channel=Channel.EMAIL,
        customer_email=customer,
        customer_name="Maria",
        subject="Fatura",
        status=TicketStatus.WAITING,
        opened_at=NOW,
        refused_attachments=list(refused),
    )


def agent_reply(ticket: str, customer: str, *attachment_ids: str) -> TicketRepliedV1:
    return TicketRepliedV1(
        ticket_id=ticket,
        number=1042,
        reply_id=f"a-{uuid.uuid4().hex[:6]}",
        customer_email=customer,
        author_kind=ActorKind.AGENT,
        author_name="agent-7f3a",
        body="Segue a segunda via.",
        channel=Channel.PORTAL,
        attachment_ids=list(attachment_ids),
        replied_at=NOW,
    )


async def serve_names(bus: Bus, ticket: str, names: dict[str, str]) -> list[list[str]]:
    """Answer the files service's describe query with fixed metadata; returns the ids asked, per query."""
    asked: list[list[str]] = []

    async def describe(query: DescribeAttachmentsV1, envelope: Envelope) -> Message:
        asked.append(list(query.attachment_ids))
        found = [
            Attachment(
                attachment_id=i,
                owner_kind=OwnerKind.TICKET,
                owner_id=ticket,
                filename=names[i],
                content_type="application/pdf",
                size=1234,
                sha256="0" * 64,
                uploaded_by="agent-7f3a",
                stored_at=NOW,
            )
            for i in query.attachment_ids
            if i in names  # like files: unknown ids are left out
        ]
        return AttachmentListV1(attachments=found)

    await bus.serve("describe", DESCRIBE_ATTACHMENTS_V1, DescribeAttachmentsV1, describe)
    return asked


def links(ticket: str, *ids: str) -> list[str]:
    return [f"{PUBLIC}/api/v1/tickets/{ticket}/attachments/{i}" for i in ids]


@pytest.mark.usefixtures("clean_stream")
async def test_the_receipt_lists_refused_files_and_an_agents_reply_lists_its_files_by_name(
    bus: Bus, nats_url: str, postgres_url: str, mail: Mail
) -> None:
    customer = f"maria-{uuid.uuid4().hex[:8]}@example.com"
    ticket = str(uuid.uuid4())
    asked = await serve_names(bus, ticket, {"f-1": "segunda-via.pdf", "f-2": "comprovante.pdf"})
    exe = RefusedAttachment(filename="fatura.exe", reason_code="extension_not_allowed")
    # Time enough that a busy machine never turns the one query into a timed-out one and its retry.
    settings = settings_for(nats_url, postgres_url, mail, files_timeout_s=10.0)
    async with bootstrap(settings) as runtime:
        runtime.health.started = True
        await bus.publish(TICKET_OPENED_V1, opened(ticket, customer, exe))
        await bus.publish(TICKET_REPLIED_V1, agent_reply(ticket, customer, "f-1", "f-2", "f-gone"))
        await eventually(lambda: len(received(mail, customer)) >= 2, what="the receipt and the reply")

    receipt, reply = sorted(received(mail, customer), key=lambda m: m["In-Reply-To"] is not None)
    receipt_text = text_of(receipt)
    assert "O anexo fatura.exe não foi aceito: tipo de arquivo não permitido." in receipt_text
    assert "Recebemos sua solicitação #1042" in receipt_text
    reply_text = text_of(reply)
    first, second, gone = links(ticket, "f-1", "f-2", "f-gone")
    assert f"- segunda-via.pdf: {first}\n- comprovante.pdf: {second}\n" in reply_text
    assert f"- anexo 3: {gone}\n" in reply_text, "a file files does not know still shows, unnamed"
    html = reply.get_body(("html",))
    assert html is not None and f'<a href="{first}">segunda-via.pdf</a>' in html.get_content()
    assert asked == [["f-1", "f-2", "f-gone"]], "one query for the reply, none for the receipt"


async def test_the_describe_call_answers_none_when_no_files_service_answers(bus: Bus) -> None:
    assert await describer(bus, 0.5)(["f-1"]) is None
    asked = await serve_names(bus, "t-1", {"f-1": "boleto.pdf"})
    assert await describer(bus, 0.5)(["f-1", "f-2", "f-1"]) == {"f-1": "boleto.pdf"}
    assert asked == [["f-1", "f-2"]]


async def test_files_away_is_retried_then_the_mail_goes_with_generic_names_exactly_once(
    nats_url: str, postgres_url: str, mail: Mail
) -> None:
    customer = f"joao-{uuid.uuid4().hex[:8]}@example.com"
    ticket = str(uuid.uuid4())
    settings = settings_for(nats_url, postgres_url, mail, attachment_name_retries=2)
    message = agent_reply(ticket, customer, "f-1", "f-2")
    envelope = Envelope.wrap(message, message_id=f"tickets:{ticket}:3")
    calls: list[Sequence[str]] = []

    async def away(attachment_ids: Sequence[str]) -> dict[str, str] | None:
        calls.append(list(attachment_ids))
        return None  # a timeout or no responders, as the real describer reports them

    async with open_pool(postgres_url) as pool:
        for ensure in (inbox.ensure_schema, known_tickets.ensure_schema, mail_log.ensure_schema):
            await ensure(pool)
        await name_lookups.ensure_schema(pool)
        handle = handle_ticket_events(pool, settings, Templates("pt-BR", PUBLIC), describe=away)
        for _ in range(2):  # the consumer naks each and redelivers with backoff
            with pytest.raises(FilesUnavailable):
                await handle(message, envelope)
        assert received(mail, customer) == [], "nothing sent while retrying"
        await handle(message, envelope)  # retries spent: it goes now, unnamed
        await handle(message, envelope)  # a redelivery after the commit
        assert len(calls) == 3, "the redelivery of a sent mail asks files nothing"
        async with pool.connection() as conn:
            cursor = await conn.execute(
                "SELECT outcome FROM mail_log WHERE event_id = %s", (envelope.message_id,)
            )
            assert await cursor.fetchall() == [("sent",)]
            cursor = await conn.execute("SELECT count(*) FROM attachment_name_misses")
            assert await cursor.fetchone() == (0,), "the count is dropped with the send"
    await eventually(lambda: len(received(mail, customer)) >= 1, what="the unnamed mail")
    [sent] = received(mail, customer)
    first, second = links(ticket, "f-1", "f-2")
    assert f"- anexo 1: {first}\n- anexo 2: {second}\n" in text_of(sent)


@pytest.mark.usefixtures("clean_stream")
async def test_the_running_notifier_retries_through_redelivery_and_never_blocks_the_mail(
    bus: Bus, nats_url: str, postgres_url: str, mail: Mail, capsys: pytest.CaptureFixture[str]
) -> None:
    customer = f"ana-{uuid.uuid4().hex[:8]}@example.com"
    ticket = str(uuid.uuid4())
    settings = settings_for(nats_url, postgres_url, mail, attachment_name_retries=1)
    async with bootstrap(settings) as runtime:  # no files service on the bus at all
        runtime.health.started = True
        await bus.publish(TICKET_OPENED_V1, opened(ticket, customer))
        await bus.publish(TICKET_REPLIED_V1, agent_reply(ticket, customer, "f-9"))
        await eventually(lambda: len(received(mail, customer)) >= 2, what="the receipt and the reply")
    receipt, reply = sorted(received(mail, customer), key=lambda m: m["In-Reply-To"] is not None)
    assert "não foi aceito" not in text_of(receipt)
    [link] = links(ticket, "f-9")
    assert f"- anexo 1: {link}\n" in text_of(reply)
    logged = capsys.readouterr().out
    # Counted by cause: on a loaded machine an SMTP or NATS hiccup may add retries of its own.
    retries = [
        line for line in logged.splitlines() if "consumer.retry" in line and "FilesUnavailable" in line
    ]
    assert len(retries) == 1, "one redelivery (the retry), then the unnamed mail"
    assert "FilesUnavailable" in logged and "notifier.attachments_unnamed" in logged
    assert "consumer.dead_letter" not in logged

"""Chat transcripts on real NATS, PostgreSQL and SMTP: a ChatClosedV1 on the CHAT stream that asked for
the transcript → one mail with the whole conversation (read from a responder on chat's real subject,
file names from one on files'); a redelivery sends nothing more; chat away is retried, then mailed."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import uuid
from datetime import UTC, datetime, timedelta

import nats.js.errors
import pytest
from support.infra import Mail
from support.mails import received, text_of
from support.waiting import eventually

from contracts import Envelope, Message
from contracts.chat import (
    ChatClosedV1,
    ChatEntry,
    ChatTranscriptRequestedV1,
    ConversationStatus,
    ConversationSummary,
    ConversationV1,
)
from contracts.chat_queries import GetConversationV1
from contracts.common import ActorKind
from contracts.files import Attachment, AttachmentListV1, DescribeAttachmentsV1, OwnerKind
from contracts.subjects import (
    CHAT,
    CHAT_CLOSED_V1,
    CHAT_TRANSCRIPT_REQUESTED_V1,
    DEADLETTER,
    DESCRIBE_ATTACHMENTS_V1,
    GET_CONVERSATION_V1,
    NOTIFIER_CHAT_DURABLE,
)
from contracts.system import MessageDeadLetteredV1
from notifier.adapters.chat import ChatUnavailable, conversation_reader
from notifier.bootstrap import bootstrap
from notifier.config import Settings
from plumbing.bus import Bus
from plumbing.errors import NotFound
from plumbing.postgres import open_pool

START = datetime(2026, 11, 22, 14, 0, tzinfo=UTC)
PUBLIC = "http://127.0.0.1:8000"
AGENT_ID = "acct-5e1f0c"


@pytest.fixture
async def clean_stream(bus: Bus) -> None:
    """Only this test's facts on CHAT, and a durable that starts from its beginning."""
    await bus.ensure_streams([CHAT, DEADLETTER])
    await bus.js.purge_stream(CHAT.name)
    with contextlib.suppress(nats.js.errors.NotFoundError):
        await bus.js.delete_consumer(CHAT.name, NOTIFIER_CHAT_DURABLE.name)


def settings_for(nats_url: str, postgres_url: str, mail: Mail, *, chat_timeout_s: float = 10.0) -> Settings:
    """Timeouts generous enough for a loaded machine, unless a test wants chat to be too late."""
    return Settings.model_validate(
        {
            "nats_url": nats_url,
            "postgres_url": postgres_url,
            "ops_port": None,
            "smtp_host": mail.smtp_host,
            "smtp_port": mail.smtp_port,
            "files_timeout_s": 10.0,
            "chat_timeout_s": chat_timeout_s,
        }
    )


def a_conversation(conversation_id: str, customer: str) -> ConversationV1:
    def at(minutes: int) -> datetime:
        return START + timedelta(minutes=minutes)

    me = {"author_kind": ActorKind.CUSTOMER, "author_id": customer, "author_name": "Maria"}
    agent = {"author_kind": ActorKind.AGENT, "author_id": AGENT_ID, "author_name": "Carla"}
    entries = [
        ChatEntry.model_validate(
            me | {"seq": 1, "kind": "requested", "text": "A fatura veio errada", "at": at(0)}
        ),
        ChatEntry.model_validate(
            agent | {"seq": 2, "kind": "accepted", "agent_id": AGENT_ID, "agent_name": "Carla", "at": at(1)}
        ),
        ChatEntry.model_validate(
            agent | {"seq": 3, "kind": "message", "text": "Vou verificar.", "at": at(2)}
        ),
        ChatEntry.model_validate(agent | {"seq": 4, "kind": "file", "attachment_id": "f-1", "at": at(3)}),
        ChatEntry.model_validate(me | {"seq": 5, "kind": "closed", "at": at(4)}),
    ]
    return ConversationV1(
        conversation=ConversationSummary(
            conversation_id=conversation_id,
            status=ConversationStatus.CLOSED,
            department="Suporte",
            customer_email=customer,
            customer_name="Maria",
            question="A fatura veio errada",
            requested_at=START,
            last_seq=5,
        ),
        entries=entries,
    )


def late_request(conversation_id: str, customer: str) -> ChatTranscriptRequestedV1:
    return ChatTranscriptRequestedV1(
        conversation_id=conversation_id,
        department="Suporte",
        customer_email=customer,
        customer_name="Lia",
        agent_id=AGENT_ID,
        messages=3,
        requested_at=START + timedelta(minutes=30),
    )


def closed(conversation_id: str, customer: str, *, send_transcript: bool = True) -> ChatClosedV1:
    return ChatClosedV1(
        conversation_id=conversation_id,
        department="Suporte",
        customer_email=customer,
        customer_name="Maria",
        agent_id=AGENT_ID,
        closed_by=ActorKind.CUSTOMER,
        status=ConversationStatus.CLOSED,
        send_transcript=send_transcript,
        messages=3,
        closed_at=START + timedelta(minutes=4),
    )


async def serve_chat(
    bus: Bus, conversations: dict[str, ConversationV1], *, silent: int = 0, late_s: float = 0.0
) -> list[str]:
    """Answer chat's GetConversation like the chat service, the first ``silent`` questions ``late_s``
    late; returns the conversations asked for."""
    asked: list[str] = []

    async def get(query: GetConversationV1, envelope: Envelope) -> Message:
        asked.append(query.conversation_id)
        if len(asked) <= silent:
            await asyncio.sleep(late_s)  # past the notifier's chat_timeout_s: it heard nothing
        found = conversations.get(query.conversation_id)
        if found is None:
            raise NotFound("conversation_not_found")
        return found.model_copy(update={"entries": [e for e in found.entries if e.seq > query.after_seq]})

    await bus.serve("conversation", GET_CONVERSATION_V1, GetConversationV1, get)
    return asked


async def serve_names(bus: Bus, names: dict[str, str]) -> None:
    """Answer the files service's describe query with fixed metadata (unknown ids left out)."""

    async def describe(query: DescribeAttachmentsV1, envelope: Envelope) -> Message:
        return AttachmentListV1(
            attachments=[
                Attachment(
                    attachment_id=i,
                    owner_kind=OwnerKind.CONVERSATION,
                    owner_id="c",
                    filename=names[i],
                    content_type="application/pdf",
                    size=1234,
                    sha256="0" * 64,
                    uploaded_by=AGENT_ID,
                    stored_at=START,
                )
                for i in query.attachment_ids
                if i in names
            ]
        )

    await bus.serve("describe", DESCRIBE_ATTACHMENTS_V1, DescribeAttachmentsV1, describe)


async def all_handled(bus: Bus) -> bool:
    """Every fact on CHAT was acknowledged by the notifier's durable."""
    stream = await bus.js.stream_info(CHAT.name)
    info = await bus.js.consumer_info(CHAT.name, NOTIFIER_CHAT_DURABLE.name)
    last = stream.state.last_seq
    return bool(info.num_ack_pending == 0 and info.num_pending == 0 and info.ack_floor.stream_seq >= last)


@pytest.mark.usefixtures("clean_stream")
async def test_a_transcript_asked_for_is_mailed_once_and_a_close_that_did_not_ask_sends_nothing(
    bus: Bus, nats_url: str, postgres_url: str, mail: Mail
) -> None:
    maria, joao, lia = (f"{n}-{uuid.uuid4().hex[:8]}@example.com" for n in ("maria", "joao", "lia"))
    asked_for, not_asked, later = (str(uuid.uuid4()) for _ in range(3))
    conversations = {
        asked_for: a_conversation(asked_for, maria),
        not_asked: a_conversation(not_asked, joao),
        later: a_conversation(later, lia),
    }
    asked = await serve_chat(bus, conversations)
    await serve_names(bus, {"f-1": "boleto.pdf"})
    envelope = Envelope.wrap(closed(asked_for, maria))
    async with bootstrap(settings_for(nats_url, postgres_url, mail)) as runtime:
        runtime.health.started = True
        await bus.publish(CHAT_CLOSED_V1, closed(not_asked, joao, send_transcript=False))
        await bus.publish(CHAT_CLOSED_V1, closed(later, lia, send_transcript=False))
        await bus.publish_envelope(CHAT_CLOSED_V1, envelope)
        await bus.publish(CHAT_TRANSCRIPT_REQUESTED_V1, late_request(later, lia))
        await eventually(lambda: bool(received(mail, maria) and received(mail, lia)), what="the transcripts")
        # The same fact again under another Nats-Msg-Id (a redelivery JetStream cannot drop).
        await bus.js.publish(CHAT_CLOSED_V1, envelope.to_bytes(), headers={"Nats-Msg-Id": "again"})
        await eventually(lambda: all_handled(bus), what="every fact handled")

    [sent] = received(mail, maria)
    assert received(mail, joao) == [], "a close that did not ask sends nothing"
    assert asked == [asked_for, later], "not for the closes that did not ask, nor for the redelivery"
    [late] = received(mail, lia)
    assert "[14:02] Carla: Vou verificar.\n" in text_of(late), "asked after the close: mailed all the same"
    assert sent["Subject"] == "Transcrição do seu chat com Atende — Suporte, 22/11/2026"
    assert sent["Auto-Submitted"] == "auto-generated" and sent["X-Atende-Loop"] == "atende.local"
    text = text_of(sent)
    link = f"{PUBLIC}/api/v1/chat/conversations/{asked_for}/attachments/f-1"
    assert "Horários no fuso UTC." in text
    assert (
        "[14:00] Maria: A fatura veio errada\n"
        "[14:01] * Carla entrou na conversa.\n"
        "[14:02] Carla: Vou verificar.\n"
        f"[14:03] Carla enviou o arquivo boleto.pdf — {link}\n"
        "[14:04] * Conversa encerrada por Maria.\n"
    ) in text
    html = sent.get_body(("html",))
    assert html is not None and f'<a href="{link}">boleto.pdf</a>' in html.get_content()
    assert AGENT_ID not in text + html.get_content()
    async with open_pool(postgres_url) as pool, pool.connection() as conn:
        # (Only transcripts: ticket facts other tests left on TICKETS may be mailed here too.)
        cursor = await conn.execute("SELECT event_id, kind, outcome FROM mail_log WHERE kind = 'transcript'")
        rows = await cursor.fetchall()
    assert (envelope.message_id, "transcript", "sent") in rows and len(rows) == 2


@pytest.mark.usefixtures("clean_stream")
async def test_chat_not_answering_fails_the_fact_and_the_redelivery_mails_it(
    bus: Bus, nats_url: str, postgres_url: str, mail: Mail, capsys: pytest.CaptureFixture[str]
) -> None:
    customer = f"ana-{uuid.uuid4().hex[:8]}@example.com"
    conversation_id = str(uuid.uuid4())
    conversations = {conversation_id: a_conversation(conversation_id, customer)}
    asked = await serve_chat(bus, conversations, silent=1, late_s=4.0)
    await serve_names(bus, {"f-1": "boleto.pdf"})
    # Chat answers in time within 3 s even on a loaded machine, and the silent answer comes after it.
    async with bootstrap(settings_for(nats_url, postgres_url, mail, chat_timeout_s=3.0)) as runtime:
        runtime.health.started = True
        await bus.publish(CHAT_CLOSED_V1, closed(conversation_id, customer))
        await eventually(lambda: len(received(mail, customer)) >= 1, what="the retried transcript")
        await eventually(lambda: all_handled(bus), what="the fact acknowledged")
    [sent] = received(mail, customer)
    assert "Carla: Vou verificar.\n" in text_of(sent)
    assert asked == [conversation_id] * 2, "asked again on the redelivery"
    logged = capsys.readouterr().out
    assert logged.count("consumer.retry") == 1 and "ChatUnavailable: chat did not answer" in logged
    assert "consumer.dead_letter" not in logged


@pytest.mark.usefixtures("clean_stream")
async def test_a_conversation_chat_does_not_know_is_dead_lettered_at_once(
    bus: Bus, nats_url: str, postgres_url: str, mail: Mail
) -> None:
    customer = f"rui-{uuid.uuid4().hex[:8]}@example.com"
    await serve_chat(bus, {})
    envelope = Envelope.wrap(closed(str(uuid.uuid4()), customer))
    async with bootstrap(settings_for(nats_url, postgres_url, mail)) as runtime:
        runtime.health.started = True
        await bus.publish_envelope(CHAT_CLOSED_V1, envelope)
        await eventually(lambda: all_handled(bus), what="the fact terminated")
    last = await bus.js.get_last_msg(DEADLETTER.name, NOTIFIER_CHAT_DURABLE.dead_letter_subject)
    assert last.data is not None
    report = MessageDeadLetteredV1.model_validate(Envelope.from_bytes(last.data).data)
    assert report.original_message_id == envelope.message_id and report.deliveries == 1
    assert Envelope.from_bytes(base64.b64decode(report.original_data)).message_id == envelope.message_id
    assert received(mail, customer) == []


async def test_the_reader_reports_chat_away_and_an_unknown_conversation(bus: Bus) -> None:
    read = conversation_reader(bus, 0.5)
    with pytest.raises(ChatUnavailable):
        await read("c-1")
    asked = await serve_chat(bus, {"c-2": a_conversation("c-2", "maria@example.com")})
    assert await read("c-1") is None
    found = await read("c-2")
    assert found is not None and [e.seq for e in found.entries] == [1, 2, 3, 4, 5]
    assert asked == ["c-1", "c-2"]

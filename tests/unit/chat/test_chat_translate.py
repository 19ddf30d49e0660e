"""Conversation events → contract facts: what goes on the wire, and what stays inside."""

from __future__ import annotations

from chat_builders import EMAIL, active, queued
from support.fakes import Clock

from chat.domain.conversation import Conversation
from chat.translate import offline_request_id, translate
from contracts.chat import ChatClosedV1, ChatMessagePostedV1, ChatRequestedV1, ChatTranscriptRequestedV1
from contracts.common import Channel
from contracts.subjects import (
    CHAT_ACCEPTED_V1,
    CHAT_CLOSED_V1,
    CHAT_MESSAGE_POSTED_V1,
    CHAT_REQUESTED_V1,
    CHAT_TRANSCRIPT_REQUESTED_V1,
    CHAT_TRANSFERRED_V1,
    TICKET_REQUESTED_V1,
)
from contracts.tickets import TicketRequestedV1


def subjects(conversation: Conversation) -> list[str | None]:
    return [getattr(translate(event), "subject", None) for event in conversation.pending_events]


def test_a_chat_from_start_to_close(clock: Clock) -> None:
    conversation = active(clock.now)
    conversation.post("c1", "customer", EMAIL, "Maria", "oi", None, clock.now)
    conversation.post("f1", "agent", "ana", "Ana", None, "file-1", clock.now)
    conversation.transfer("ana", "bia", "Bia", None, clock.now)
    conversation.close("customer", EMAIL, True, clock.now)
    assert subjects(conversation) == [
        CHAT_REQUESTED_V1,
        None,  # queueing stays inside
        CHAT_ACCEPTED_V1,
        CHAT_MESSAGE_POSTED_V1,
        CHAT_MESSAGE_POSTED_V1,
        CHAT_TRANSFERRED_V1,
        CHAT_CLOSED_V1,
    ]
    facts = [translate(event) for event in conversation.pending_events]
    requested = facts[0].message  # type: ignore[union-attr]
    assert isinstance(requested, ChatRequestedV1) and requested.customer_email == EMAIL
    assert requested.conversation_id == str(conversation.id) and requested.department == "Suporte"
    file = facts[4].message  # type: ignore[union-attr]
    assert isinstance(file, ChatMessagePostedV1) and (file.seq, file.attachment_id) == (4, "file-1")
    closed = facts[-1].message  # type: ignore[union-attr]
    assert isinstance(closed, ChatClosedV1)
    assert (closed.status, closed.closed_by, closed.send_transcript) == ("closed", "customer", True)
    assert (closed.agent_id, closed.messages, closed.customer_name) == ("bia", 2, "Maria")


def test_an_abandoned_chat_closes_by_the_system_without_transcript(clock: Clock) -> None:
    conversation = queued(clock.now)
    conversation.abandon(clock.now, clock.now)
    fact = translate(conversation.pending_events[-1])
    assert fact is not None and isinstance(fact.message, ChatClosedV1)
    assert (fact.message.status, fact.message.closed_by, fact.message.agent_id) == (
        "abandoned",
        "system",
        None,
    )


def test_a_late_transcript_request_is_its_own_fact(clock: Clock) -> None:
    conversation = active(clock.now)
    conversation.close("agent", "ana", False, clock.now)
    conversation.close("customer", EMAIL, True, clock.now)
    fact = translate(conversation.pending_events[-1])
    assert fact is not None and fact.subject == CHAT_TRANSCRIPT_REQUESTED_V1
    assert isinstance(fact.message, ChatTranscriptRequestedV1) and fact.message.messages == 0


def test_an_offline_message_becomes_a_ticket_request_derived_from_the_conversation(clock: Clock) -> None:
    form = Conversation.leave_message("r-9", "Financeiro", EMAIL, "Maria", "Segunda via do boleto", clock.now)
    assert subjects(form) == [None, TICKET_REQUESTED_V1]  # no ChatRequested: it never was a chat
    fact = translate(form.pending_events[-1])
    assert fact is not None and isinstance(fact.message, TicketRequestedV1)
    request = fact.message
    assert request.request_id == offline_request_id(str(form.id)) == f"chat:offline:{form.id}"
    assert (request.channel, request.source_ref, request.department) == (
        Channel.CHAT,
        str(form.id),
        "Financeiro",
    )
    assert (request.subject, request.body) == ("Segunda via do boleto", "Segunda via do boleto")
    waited = queued(clock.now)
    waited.leave_message_instead("Liguem-me amanhã", clock.now)
    late = translate(waited.pending_events[-1])
    assert late is not None and isinstance(late.message, TicketRequestedV1)
    assert late.message.body == "Não consigo emitir a nota\n\nLiguem-me amanhã"
    assert late.message.subject == "Não consigo emitir a nota"


def test_entry_frames_built_by_hand_are_what_the_contract_says(clock: Clock) -> None:
    from chat import wire
    from chat.domain.entries import entry_of
    from chat.entrypoints.live import entry_frame, envelope_bytes
    from contracts import Envelope
    from contracts.chat import ChatLiveFrameV1

    conversation = active(clock.now)
    conversation.post("f1", "customer", EMAIL, "Maria", "o print — ção", "file-1", clock.now)
    conversation.transfer("ana", "bia", "Bia", None, clock.now)
    for event in conversation.pending_events:
        entry = entry_of(event)
        if entry is None:
            continue
        raw = envelope_bytes(entry_frame(str(conversation.id), entry), "corr-1")
        envelope = Envelope.from_bytes(raw)
        assert (envelope.type_key, envelope.correlation_id) == ("chat.LiveFrame.v1", "corr-1")
        frame = ChatLiveFrameV1.model_validate(envelope.data)
        expected = ChatLiveFrameV1(
            conversation_id=str(conversation.id), kind="entry", entry=wire.entry(entry)
        )
        assert frame == expected
    assert Envelope.from_bytes(envelope_bytes({"kind": "queue"}, None)).message_id.startswith("chat-live-")

"""The Conversation aggregate's rules beyond the table: sequence numbers, idempotency, participants."""

from __future__ import annotations

from datetime import timedelta

import pytest
from chat_builders import EMAIL, active, queued
from support.fakes import Clock

from chat.domain.conversation import Conversation, conversation_id
from chat.domain.entries import entry_of
from chat.domain.transitions import EmptyMessage, NotAParticipant, SameAgent, Status, TransferTargetMissing
from chat.domain.waits import DEFAULT_ACCEPT_S, estimated_wait_s


def entries(conversation: Conversation) -> list[tuple[int, str]]:
    found = (entry_of(event) for event in conversation.pending_events)
    return [(entry.seq, entry.kind) for entry in found if entry is not None]


def test_a_start_is_entry_one_and_queues_in_its_department(clock: Clock) -> None:
    conversation = queued(clock.now)
    assert conversation.id == conversation_id("r-1") == Conversation.create_id("r-1")
    assert [type(e).__name__ for e in conversation.pending_events] == ["Requested", "Queued"]
    assert entries(conversation) == [(1, "requested")]
    summary = conversation.summary()
    assert summary.status is Status.QUEUED and summary.last_seq == 1 and summary.department == "Suporte"
    assert summary.question == "Não consigo emitir a nota" and summary.agent_id is None


def test_every_entry_gets_the_next_sequence_number(clock: Clock) -> None:
    conversation = queued(clock.now)
    clock.now += timedelta(seconds=42)
    conversation.accept("ana", "Ana", clock.now)
    acks = []
    for n in range(3):
        acks.append(conversation.post(f"c{n}", "customer", EMAIL, "Maria", f"pergunta {n}", None, clock.now))
        acks.append(conversation.post(f"a{n}", "agent", "ana", "Ana", f"resposta {n}", None, clock.now))
    conversation.post("f1", "customer", "MARIA@example.com", "Maria", "o print", "file-1", clock.now)
    conversation.close("agent", "ana", True, clock.now)
    assert [seq for seq, _ in acks] == [3, 4, 5, 6, 7, 8]
    assert entries(conversation) == [
        (1, "requested"),
        (2, "accepted"),
        *[(n, "message") for n in range(3, 9)],
        (9, "file"),
        (10, "closed"),
    ]
    accepted = conversation.pending_events[2]
    assert isinstance(accepted, Conversation.Accepted) and accepted.waited_s == 42.0
    closed = conversation.pending_events[-1]
    assert isinstance(closed, Conversation.Closed)
    assert (closed.messages, closed.send_transcript, closed.by_name) == (7, True, "Ana")
    assert conversation.summary().last_seq == 10


def test_a_repeated_client_id_answers_the_first_post_even_after_the_close(clock: Clock) -> None:
    conversation = active(clock.now)
    first = conversation.post("c-1", "customer", EMAIL, "Maria", "oi", None, clock.now)
    clock.now += timedelta(seconds=5)
    again = conversation.post("c-1", "customer", EMAIL, "Maria", "oi", None, clock.now)
    conversation.close("customer", EMAIL, False, clock.now)
    after_close = conversation.post("c-1", "customer", EMAIL, "Maria", "oi", None, clock.now)
    assert first == again == after_close == (3, first[1])
    assert sum(isinstance(e, Conversation.MessagePosted) for e in conversation.pending_events) == 1


@pytest.mark.parametrize(
    ("kind", "author"),
    [("customer", "outra@example.com"), ("agent", "bia"), ("system", "system")],
)
def test_only_its_customer_and_its_agent_may_post(kind: str, author: str, clock: Clock) -> None:
    conversation = active(clock.now)
    with pytest.raises(NotAParticipant):
        conversation.post("x", kind, author, "", "olá", None, clock.now)


def test_a_post_needs_text_or_a_file_and_a_file_may_carry_a_caption(clock: Clock) -> None:
    conversation = active(clock.now)
    with pytest.raises(EmptyMessage):
        conversation.post("x", "agent", "ana", "Ana", "   ", None, clock.now)
    conversation.post("f", "agent", "ana", "Ana", "o boleto", "file-9", clock.now)
    shared = conversation.pending_events[-1]
    assert isinstance(shared, Conversation.FileShared)
    entry = entry_of(shared)
    assert entry is not None and (entry.kind, entry.attachment_id, entry.text) == (
        "file",
        "file-9",
        "o boleto",
    )


def test_the_winner_may_retry_its_accept(clock: Clock) -> None:
    conversation = active(clock.now, "ana")
    before = len(conversation.pending_events)
    conversation.accept("ana", "Ana", clock.now)
    assert len(conversation.pending_events) == before


def test_a_transfer_to_an_agent_keeps_it_active_and_one_to_a_department_queues_it(clock: Clock) -> None:
    conversation = active(clock.now, "ana")
    with pytest.raises(NotAParticipant):
        conversation.transfer("bia", "carla", "Carla", None, clock.now)
    with pytest.raises(SameAgent):
        conversation.transfer("ana", "ana", "Ana", None, clock.now)
    with pytest.raises(TransferTargetMissing):
        conversation.transfer("ana", None, None, None, clock.now)
    conversation.transfer("ana", "bia", "Bia", None, clock.now)
    assert (conversation.status, conversation.agent_id, conversation.agent_name) == ("active", "bia", "Bia")
    conversation.transfer("bia", None, None, "Financeiro", clock.now)
    assert conversation.status == Status.QUEUED and conversation.agent_id is None
    assert conversation.department == "Financeiro" and conversation.queued_at == clock.now
    transferred = [
        entry_of(e) for e in conversation.pending_events if isinstance(e, Conversation.Transferred)
    ]
    assert [(t.author_id, t.agent_id, t.department) for t in transferred if t] == [
        ("ana", "bia", "Suporte"),
        ("bia", None, "Financeiro"),
    ]
    assert isinstance(conversation.pending_events[-1], Conversation.Queued)


def test_who_may_close(clock: Clock) -> None:
    conversation = active(clock.now, "ana")
    with pytest.raises(NotAParticipant):
        conversation.close("agent", "bia", False, clock.now)
    with pytest.raises(NotAParticipant):
        conversation.close("customer", "outra@example.com", False, clock.now)
    waiting = queued(clock.now)
    waiting.close("agent", "bia", False, clock.now)  # any agent may close a queued chat (spam)
    assert waiting.status == Status.CLOSED


def test_a_customer_may_ask_for_the_transcript_once_after_the_agent_closed(clock: Clock) -> None:
    conversation = active(clock.now)
    conversation.close("agent", "ana", False, clock.now)
    conversation.close("customer", EMAIL, True, clock.now)
    conversation.close("customer", EMAIL, True, clock.now)
    asked = [e for e in conversation.pending_events if isinstance(e, Conversation.TranscriptRequested)]
    assert len(asked) == 1 and asked[0].customer_email == EMAIL and conversation.transcript


def test_abandonment_records_when_the_customer_was_last_seen(clock: Clock) -> None:
    conversation = active(clock.now)
    seen = clock.now
    clock.now += timedelta(minutes=11)
    conversation.abandon(seen, clock.now)
    abandoned = conversation.pending_events[-1]
    assert isinstance(abandoned, Conversation.Abandoned)
    assert (abandoned.last_seen, abandoned.agent_id, abandoned.seq) == (seen, "ana", 3)
    assert conversation.closed_at == clock.now


def test_an_offline_message_from_the_form_and_from_a_queued_chat(clock: Clock) -> None:
    form = Conversation.leave_message(
        "r-2", "Financeiro", EMAIL, "Maria", "Preciso da segunda via", clock.now
    )
    assert form.status == Status.OFFLINE and entries(form) == [(1, "requested"), (2, "offline")]
    offline = form.pending_events[-1]
    assert isinstance(offline, Conversation.OfflineMessageLeft)
    assert entry_of(offline).text is None  # type: ignore[union-attr]  # (the message is entry 1 already)
    waited = queued(clock.now)
    waited.leave_message_instead("Ninguém atendeu; liguem-me", clock.now)
    entry = entry_of(waited.pending_events[-1])
    assert entry is not None and (entry.seq, entry.kind, entry.text) == (
        2,
        "offline",
        "Ninguém atendeu; liguem-me",
    )


def test_the_expected_wait_grows_with_the_position_and_shrinks_with_agents() -> None:
    assert estimated_wait_s(1, 30.0, 1) == 30
    assert estimated_wait_s(3, 30.0, 1) == 90
    assert estimated_wait_s(3, 30.0, 2) == 60
    assert estimated_wait_s(2, 30.0, 0) == 60  # nobody online counts as one
    assert estimated_wait_s(1, None, 3) == round(DEFAULT_ACCEPT_S)

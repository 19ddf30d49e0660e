"""The customer's rating of an ended chat: when it may be given, replaced, repeated, and what it publishes."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest
from chat_builders import EMAIL, active, queued
from support.fakes import Clock

from chat import changes, wire
from chat.application import Conversations
from chat.changes import ConversationNotFound, Outcome
from chat.domain.conversation import Conversation
from chat.domain.summary import Rating
from chat.domain.transitions import ChatNotEnded, Status
from chat.translate import translate
from contracts.chat import ChatRatedV1
from contracts.subjects import CHAT_RATED_V1


def rated(conversation: Conversation) -> list[Conversation.Rated]:
    return [event for event in conversation.pending_events if isinstance(event, Conversation.Rated)]


def closed_by_agent(clock: Clock) -> Conversation:
    conversation = active(clock.now)
    conversation.close("agent", "ana", False, clock.now)
    return conversation


def test_a_closed_chat_is_rated_for_the_agent_who_held_it(clock: Clock) -> None:
    conversation = closed_by_agent(clock)
    clock.now += timedelta(minutes=1)
    conversation.rate(5, "Resolveu rápido", clock.now)
    [event] = rated(conversation)
    assert (event.score, event.comment, event.agent_id) == (5, "Resolveu rápido", "ana")
    assert (event.department, event.customer_email, event.at) == ("Suporte", EMAIL, clock.now)
    summary = conversation.summary()
    assert summary.status is Status.CLOSED  # a rating changes nothing else
    assert summary.rating == Rating(5, "Resolveu rápido", clock.now)
    assert summary.last_seq == 3  # and adds no entry


def test_the_same_rating_again_is_a_no_op_and_a_different_one_replaces_it(clock: Clock) -> None:
    conversation = closed_by_agent(clock)
    conversation.rate(3, "", clock.now)
    conversation.rate(3, "", clock.now + timedelta(seconds=5))  # a retry
    assert [(e.score, e.comment) for e in rated(conversation)] == [(3, "")]
    later = clock.now + timedelta(minutes=2)
    conversation.rate(3, "Pensando melhor: demorou", later)
    conversation.rate(4, "Pensando melhor: demorou", later)
    assert [(e.score, e.comment) for e in rated(conversation)] == [
        (3, ""),
        (3, "Pensando melhor: demorou"),
        (4, "Pensando melhor: demorou"),
    ]
    assert conversation.summary().rating == Rating(4, "Pensando melhor: demorou", later)


@pytest.mark.parametrize("state", ["queued", "active"])
def test_a_chat_still_going_on_cannot_be_rated(state: str, clock: Clock) -> None:
    conversation = queued(clock.now) if state == "queued" else active(clock.now)
    before = len(conversation.pending_events)
    with pytest.raises(ChatNotEnded) as refused:
        conversation.rate(5, "", clock.now)
    assert refused.value.reason == "chat_not_ended"
    assert len(conversation.pending_events) == before and conversation.summary().rating is None


def test_an_offline_message_is_no_chat_to_rate(clock: Clock) -> None:
    conversation = Conversation.leave_message("r-off", "Suporte", EMAIL, "Maria", "Liguem-me", clock.now)
    with pytest.raises(ChatNotEnded):
        conversation.rate(1, "", clock.now)


def test_an_abandoned_chat_handed_back_to_its_queue_names_the_agent_who_had_it(clock: Clock) -> None:
    conversation = active(clock.now, agent="ana")
    conversation.transfer("ana", None, None, "Financeiro", clock.now)
    assert conversation.agent_id is None
    conversation.abandon(clock.now, clock.now)
    conversation.rate(2, "Fiquei esperando", clock.now)
    [event] = rated(conversation)
    assert (event.agent_id, event.department) == ("ana", "Financeiro")


def test_a_chat_nobody_accepted_is_rated_without_an_agent(clock: Clock) -> None:
    conversation = queued(clock.now)
    conversation.close("customer", EMAIL, False, clock.now)
    conversation.rate(1, "Ninguém atendeu", clock.now)
    assert rated(conversation)[0].agent_id is None


def test_a_conversation_saved_before_ratings_existed_can_be_rated(clock: Clock) -> None:
    conversation = closed_by_agent(clock)
    # A snapshot taken before these attributes existed restores a state without them.
    del conversation.__dict__["last_agent_id"]
    assert "rated_at" not in conversation.__dict__
    conversation.rate(4, "", clock.now)
    assert rated(conversation)[0].agent_id == "ana"


def test_the_rating_goes_on_the_wire_as_chat_rated(clock: Clock) -> None:
    conversation = closed_by_agent(clock)
    conversation.rate(5, "Excelente", clock.now)
    publication = translate(rated(conversation)[0])
    assert publication is not None and publication.subject == CHAT_RATED_V1
    fact = publication.message
    assert isinstance(fact, ChatRatedV1)
    assert fact.model_dump(mode="json") == {
        "conversation_id": str(conversation.id),
        "department": "Suporte",
        "customer_email": EMAIL,
        "agent_id": "ana",
        "score": 5,
        "comment": "Excelente",
        "rated_at": clock.now.isoformat().replace("+00:00", "Z"),
    }
    summary = wire.summary(conversation.summary())
    assert summary.rating is not None and (summary.rating.score, summary.rating.comment) == (5, "Excelente")
    assert wire.summary(active(clock.now).summary()).rating is None


def _closed(app: Conversations) -> UUID:
    start = changes.start("r-1", "Suporte", EMAIL, "Maria", "Ajuda")
    conversation = start.conversation_id
    app.run([start, changes.accept(conversation, "ana", "Ana")])
    app.run([changes.close(conversation, "agent", "ana", False)])
    return conversation


def test_the_service_layer_checks_whose_chat_it_is_and_saves_a_rating_once(app: Conversations) -> None:
    conversation = _closed(app)
    results, _ = app.run(
        [
            changes.rate(conversation, "outra@example.com", 5, ""),  # someone else's chat: not found
            changes.rate(conversation, "MARIA@example.com", 4, "Bom"),  # the portal's customer
            changes.rate(conversation, None, 4, "Bom"),  # the widget's retry (its token proved it)
        ]
    )
    assert isinstance(results[0], ConversationNotFound)
    assert isinstance(results[1], Outcome) and len(results[1].events) == 1
    assert isinstance(results[2], Outcome) and results[2].events == ()
    assert results[2].summary.rating is not None and results[2].summary.rating.score == 4
    [missing], _ = app.run([changes.rate(UUID(int=7), None, 5, "")])
    assert isinstance(missing, ConversationNotFound)


def test_a_rating_survives_snapshots_and_reloading(app: Conversations, clock: Clock) -> None:
    conversation = _closed(app)
    for score in (1, 2, 3, 4, 5, 4):  # past the app's snapshot interval (5 events)
        clock.now += timedelta(seconds=1)
        app.run([changes.rate(conversation, None, score, f"nota {score}")])
    assert app.snapshots is not None
    assert list(app.snapshots.get(conversation))  # a snapshot was taken with a rating in it
    app.recent.evict([conversation])
    stored = app.get(conversation)
    assert stored is not None
    assert stored.summary().rating == Rating(4, "nota 4", clock.now)
    assert stored.last_agent_id == "ana"


def test_a_retry_after_reloading_from_a_snapshot_records_nothing(app: Conversations, clock: Clock) -> None:
    conversation = _closed(app)  # 4 events
    for score in (1, 2, 3, 4, 5, 4):  # the 10th is in the snapshot: the rating comes back from it
        app.run([changes.rate(conversation, None, score, "")])
    assert app.snapshots is not None
    assert [s.originator_version for s in app.snapshots.get(conversation)][-1] == 10
    app.recent.evict([conversation])
    [again], _ = app.run([changes.rate(conversation, None, 4, "")])
    assert isinstance(again, Outcome) and again.events == ()

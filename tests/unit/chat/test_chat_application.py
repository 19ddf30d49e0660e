"""The service layer: batches saved as one transaction, the in-memory cache, replicas, snapshots."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from chat_builders import EMAIL
from support.fakes import Clock

from chat import changes
from chat.application import Conversations
from chat.changes import ConversationNotFound, Outcome
from chat.domain.conversation import Conversation, conversation_id
from chat.domain.transitions import AlreadyAccepted, NotActive


def started(app: Conversations, *request_ids: str) -> list[UUID]:
    made = [
        changes.start(
            rid,
            "Suporte",
            EMAIL,
            "Maria",
            "Ajuda",
        )
        for rid in request_ids
    ]
    results, _ = app.run(made)
    assert all(isinstance(r, Outcome) for r in results)
    return [change.conversation_id for change in made]


def saves(app: Conversations) -> list[int]:
    """Counts the event-store transactions (recordings of a processing event) the app makes from now on."""
    calls = [0]
    original = app._record

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return original(*args, **kwargs)

    app._record = counting  # type: ignore[method-assign]
    return calls


def post(conversation: UUID, client_id: str, text: str = "oi") -> changes.Change:
    return changes.post(conversation, client_id, "customer", EMAIL, "Maria", text, None)


def test_many_conversations_and_several_messages_of_one_go_in_one_transaction(app: Conversations) -> None:
    first, second = started(app, "r-1", "r-2")
    app.run([changes.accept(first, "ana", "Ana"), changes.accept(second, "bia", "Bia")])
    transactions = saves(app)
    batch = [post(first, "a"), post(second, "b"), post(first, "c"), post(first, "d"), post(second, "e")]
    results, position = app.run(batch)
    assert transactions == [1] and position is not None
    assert [r.value[0] for r in results if isinstance(r, Outcome)] == [3, 3, 4, 5, 4]
    stored = app.get(first)
    assert stored is not None and stored.last_seq == 5 and stored.messages == 3


def test_a_refused_change_leaves_the_rest_of_its_batch_alone(app: Conversations) -> None:
    [conversation] = started(app, "r-1")
    results, _ = app.run(
        [
            post(conversation, "early"),  # still queued
            changes.accept(conversation, "ana", "Ana"),
            changes.accept(conversation, "bia", "Bia"),
            post(conversation, "now"),
            changes.accept(conversation_id("nope"), "ana", "Ana"),
        ]
    )
    assert [type(r) for r in results] == [NotActive, Outcome, AlreadyAccepted, Outcome, ConversationNotFound]
    stored = app.get(conversation)
    assert stored is not None and stored.agent_id == "ana" and stored.last_seq == 3


def test_a_change_that_breaks_unexpectedly_is_left_out_and_the_rest_saved(app: Conversations) -> None:
    [conversation] = started(app, "r-1")
    app.run([changes.accept(conversation, "ana", "Ana")])

    def broken(found: Conversation | None, at: Any) -> tuple[Conversation, Any]:
        assert found is not None
        found.post("half", "customer", EMAIL, "Maria", "meio", None, at)
        raise RuntimeError("bug")

    results, _ = app.run(
        [post(conversation, "a"), changes.Change(conversation, broken), post(conversation, "b")]
    )
    assert isinstance(results[1], RuntimeError)
    assert [r.value[0] for r in results if isinstance(r, Outcome)] == [3, 4]
    stored = app.get(conversation)
    assert stored is not None and set(stored.posted) == {"a", "b"}  # nothing of the broken change


def test_recent_conversations_come_from_memory(app: Conversations, monkeypatch: pytest.MonkeyPatch) -> None:
    [conversation] = started(app, "r-1")
    app.run([changes.accept(conversation, "ana", "Ana")])
    reads: list[UUID] = []
    monkeypatch.setattr(app.repository, "get", lambda cid, **_: reads.append(cid))
    app.run([post(conversation, "a"), post(conversation, "b")])
    assert reads == [] and len(app.recent) == 1


def test_a_repeated_start_finds_its_conversation(app: Conversations) -> None:
    [conversation] = started(app, "r-1")
    app.recent.evict([conversation])  # as after a restart, or on another replica
    results, position = app.run([changes.start("r-1", "Suporte", EMAIL, "Maria", "Ajuda")])
    assert position is None  # the insert lost to the stored one; nothing new was saved
    [outcome] = results
    assert (
        isinstance(outcome, Outcome)
        and outcome.events == ()
        and outcome.summary.conversation_id == conversation
    )


@pytest.fixture
def replicas(tmp_path: Path, clock: Clock) -> Iterator[tuple[Conversations, Conversations]]:
    """Two applications on one event store (SQLite file), as two chat replicas share PostgreSQL."""
    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(tmp_path / "events.db")}
    first, second = Conversations(env=env, clock=clock), Conversations(env=env, clock=clock)
    yield first, second
    first.close()
    second.close()


def test_replicas_catch_up_on_each_others_writes(replicas: tuple[Conversations, Conversations]) -> None:
    one, two = replicas
    [conversation] = started(one, "r-1")
    one.run([changes.accept(conversation, "ana", "Ana")])
    two.run([post(conversation, "from-two")])  # loaded by two
    results, _ = one.run([post(conversation, "from-one")])  # one's cache is behind: fast-forwarded
    [outcome] = results
    assert isinstance(outcome, Outcome) and outcome.value[0] == 4
    again, _ = two.run([post(conversation, "from-two")])  # a retry on two answers the same
    assert isinstance(again[0], Outcome) and again[0].value[0] == 3


def test_a_lost_race_reloads_and_redoes_the_batch(
    replicas: tuple[Conversations, Conversations], monkeypatch: pytest.MonkeyPatch
) -> None:
    one, two = replicas
    [conversation] = started(one, "r-1")
    one.run([changes.accept(conversation, "ana", "Ana")])
    two.run([post(conversation, "from-two")])
    # The other replica writes between one's fast-forward and its save: the save fails on the version.
    monkeypatch.setattr(one, "_fast_forward", lambda cached: None)
    results, _ = one.run([post(conversation, "from-one")])
    assert isinstance(results[0], Outcome) and results[0].value[0] == 4
    stored = two.get(conversation)
    assert stored is not None and list(stored.posted) == ["from-two", "from-one"]


def test_long_conversations_are_snapshotted_from_memory(app: Conversations) -> None:
    [conversation] = started(app, "r-1")
    app.run([changes.accept(conversation, "ana", "Ana")])
    app.run([post(conversation, f"m{n}") for n in range(9)])  # versions 4..12: passes 5 and 10
    assert app.snapshots is not None
    [snapshot] = list(app.snapshots.get(conversation, desc=True, limit=1))
    assert snapshot.originator_version == 12
    app.recent.evict([conversation])
    loaded = app.get(conversation)
    assert loaded is not None and loaded.version == 12 and loaded.last_seq == 11
    seq, at = loaded.posted["m0"]
    assert seq == 3 and at.tzinfo is not None
    results, _ = app.run([post(conversation, "m0")])  # idempotent across the snapshot too
    assert isinstance(results[0], Outcome) and results[0].value == (3, at)


def test_alone_the_cache_is_trusted_and_another_writer_turns_checking_on(
    replicas: tuple[Conversations, Conversations], monkeypatch: pytest.MonkeyPatch
) -> None:
    one, two = replicas
    checks: list[int] = []
    original = one._fast_forward
    monkeypatch.setattr(one, "_fast_forward", lambda cached: checks.append(len(cached)) or original(cached))
    [conversation] = started(one, "r-1")
    one.run([changes.accept(conversation, "ana", "Ana")])
    one.run([post(conversation, "a")])
    assert checks == []  # our notification ids follow each other: nobody else writes
    two.run([post(conversation, "b")])
    one.run([post(conversation, "c")])  # stale: loses the race on its version, reloads, redoes
    one.run([post(conversation, "d")])
    assert checks and checks[-1] == 1  # from now on every batch checks the cache first
    stored = one.get(conversation)
    assert stored is not None and list(stored.posted) == ["a", "b", "c", "d"]


def test_a_refusal_on_an_unchecked_copy_is_checked_before_it_is_believed(
    replicas: tuple[Conversations, Conversations],
) -> None:
    one, two = replicas
    [conversation] = started(one, "r-1")
    one.run([changes.accept(conversation, "ana", "Ana")])
    two.run([changes.transfer(conversation, "ana", None, None, "Financeiro")])  # back to a queue
    results, _ = one.run([changes.accept(conversation, "bia", "Bia")])  # one's copy still says "ana"
    [outcome] = results
    assert isinstance(outcome, Outcome) and outcome.summary.agent_id == "bia"
    assert outcome.summary.department == "Financeiro"

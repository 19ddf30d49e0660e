"""Every (status, action) pair of a conversation, through the aggregate: allowed or refused, and why."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from chat_builders import EMAIL, active, queued
from support.fakes import Clock

from chat.domain.conversation import Conversation
from chat.domain.transitions import (
    Action,
    AlreadyAccepted,
    ChatNotEnded,
    ConversationEnded,
    NotActive,
    Refused,
    Status,
    next_status,
)

NOOP = "no-op"  # allowed, but nothing happens (a retry, closing an ended chat)


def in_status(status: Status, at: datetime) -> Conversation:
    if status is Status.QUEUED:
        return queued(at)
    if status is Status.OFFLINE:
        return Conversation.leave_message("r-off", "Suporte", EMAIL, "Maria", "Liguem-me", at)
    conversation = active(at)
    if status is Status.CLOSED:
        conversation.close("agent", "ana", False, at)
    elif status is Status.ABANDONED:
        conversation.abandon(at, at)
    return conversation


ACTIONS: dict[Action, Callable[[Conversation, datetime], object]] = {
    Action.ACCEPT: lambda c, at: c.accept("bia", "Bia", at),
    Action.POST: lambda c, at: c.post("c-9", "customer", EMAIL, "Maria", "oi", None, at),
    Action.TRANSFER_TO_AGENT: lambda c, at: c.transfer("ana", "bia", "Bia", None, at),
    Action.TRANSFER_TO_DEPARTMENT: lambda c, at: c.transfer("ana", None, None, "Financeiro", at),
    Action.CLOSE: lambda c, at: c.close("customer", EMAIL, False, at),
    Action.ABANDON: lambda c, at: c.abandon(at, at),
    Action.LEAVE_MESSAGE: lambda c, at: c.leave_message_instead("Liguem-me amanhã", at),
    Action.REQUEST_TRANSCRIPT: lambda c, at: c.close("customer", EMAIL, True, at),
    Action.RATE: lambda c, at: c.rate(5, "Ótimo", at),
}

Q, A, C, X, OFF = Status.QUEUED, Status.ACTIVE, Status.CLOSED, Status.ABANDONED, Status.OFFLINE
EXPECTED: dict[Status, dict[Action, Status | type[Refused] | str]] = {
    Q: {
        Action.ACCEPT: A,
        Action.POST: NotActive,
        Action.TRANSFER_TO_AGENT: NotActive,
        Action.TRANSFER_TO_DEPARTMENT: NotActive,
        Action.CLOSE: C,
        Action.ABANDON: X,
        Action.LEAVE_MESSAGE: OFF,
        Action.REQUEST_TRANSCRIPT: C,  # closing a queued chat, asking for its transcript
        Action.RATE: ChatNotEnded,
    },
    A: {
        Action.ACCEPT: AlreadyAccepted,
        Action.POST: A,
        Action.TRANSFER_TO_AGENT: A,
        Action.TRANSFER_TO_DEPARTMENT: Q,
        Action.CLOSE: C,
        Action.ABANDON: X,
        Action.LEAVE_MESSAGE: AlreadyAccepted,
        Action.REQUEST_TRANSCRIPT: C,
        Action.RATE: ChatNotEnded,
    },
    C: {
        Action.ACCEPT: ConversationEnded,
        Action.POST: ConversationEnded,
        Action.TRANSFER_TO_AGENT: ConversationEnded,
        Action.TRANSFER_TO_DEPARTMENT: ConversationEnded,
        Action.CLOSE: NOOP,
        Action.ABANDON: ConversationEnded,
        Action.LEAVE_MESSAGE: ConversationEnded,
        Action.REQUEST_TRANSCRIPT: C,  # a late ask: recorded, the status stays
        Action.RATE: C,  # recorded, the status stays
    },
    X: {
        Action.ACCEPT: ConversationEnded,
        Action.POST: ConversationEnded,
        Action.TRANSFER_TO_AGENT: ConversationEnded,
        Action.TRANSFER_TO_DEPARTMENT: ConversationEnded,
        Action.CLOSE: NOOP,
        Action.ABANDON: ConversationEnded,
        Action.LEAVE_MESSAGE: ConversationEnded,
        Action.REQUEST_TRANSCRIPT: X,
        Action.RATE: X,
    },
    OFF: {
        Action.ACCEPT: ConversationEnded,
        Action.POST: ConversationEnded,
        Action.TRANSFER_TO_AGENT: ConversationEnded,
        Action.TRANSFER_TO_DEPARTMENT: ConversationEnded,
        Action.CLOSE: NOOP,
        Action.ABANDON: ConversationEnded,
        Action.LEAVE_MESSAGE: NOOP,  # a retried message
        Action.REQUEST_TRANSCRIPT: NOOP,  # nothing to send: it became a ticket
        Action.RATE: ChatNotEnded,  # it was only ever a message, never a chat
    },
}
PAIRS = [(status, action) for status in Status for action in Action]


def test_the_table_covers_every_pair() -> None:
    assert {(s, a) for s, row in EXPECTED.items() for a in row} == set(PAIRS)


@pytest.mark.parametrize(("status", "action"), PAIRS, ids=[f"{s}-{a}" for s, a in PAIRS])
def test_each_action_in_each_status(status: Status, action: Action, clock: Clock) -> None:
    conversation = in_status(status, clock.now)
    assert conversation.status == status
    before = len(conversation.pending_events)
    expected = EXPECTED[status][action]
    if isinstance(expected, type):
        with pytest.raises(expected):
            ACTIONS[action](conversation, clock.now)
        assert len(conversation.pending_events) == before, "a refusal records nothing"
        assert conversation.status == status
    elif expected == NOOP:
        ACTIONS[action](conversation, clock.now)
        assert len(conversation.pending_events) == before
        assert conversation.status == status
    else:
        ACTIONS[action](conversation, clock.now)
        assert len(conversation.pending_events) > before
        assert conversation.status == expected


@pytest.mark.parametrize(("status", "action"), PAIRS, ids=[f"{s}-{a}" for s, a in PAIRS])
def test_next_status_agrees_with_the_table(status: Status, action: Action) -> None:
    allowed = {
        (Q, Action.ACCEPT): A,
        (Q, Action.CLOSE): C,
        (Q, Action.ABANDON): X,
        (Q, Action.LEAVE_MESSAGE): OFF,
        (A, Action.POST): A,
        (A, Action.TRANSFER_TO_AGENT): A,
        (A, Action.TRANSFER_TO_DEPARTMENT): Q,
        (A, Action.CLOSE): C,
        (A, Action.ABANDON): X,
        (C, Action.REQUEST_TRANSCRIPT): C,
        (X, Action.REQUEST_TRANSCRIPT): X,
        (C, Action.RATE): C,
        (X, Action.RATE): X,
    }
    if (status, action) in allowed:
        assert next_status(status.value, action) is allowed[(status, action)]
    else:
        with pytest.raises(Refused) as refused:
            next_status(status.value, action)
        assert refused.value.status == status and refused.value.action == action

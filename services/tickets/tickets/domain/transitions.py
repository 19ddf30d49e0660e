"""The one table of how a ticket moves between guide 000's statuses."""

from __future__ import annotations

from enum import StrEnum

from tickets.domain.status import Status


class Action(StrEnum):
    """Something that happens to a ticket and may move its status."""

    START_WORK = "start_work"  # an agent takes it up
    AGENT_REPLY = "agent_reply"  # an agent's public reply
    CUSTOMER_REPLY = "customer_reply"
    FINISH = "finish"  # an agent finishes it, or the customer says "my problem is solved"
    REOPEN = "reopen"  # an agent reopens it, or the customer replies within the reopen window


class IllegalTransition(Exception):
    """The action is not allowed in the ticket's current status."""

    def __init__(self, status: Status, action: Action) -> None:
        super().__init__(f"{action.value} is not allowed when the ticket is {status.value}")
        self.status = status
        self.action = action


W, P, A, F = Status.WAITING, Status.IN_PROGRESS, Status.AWAITING_CUSTOMER, Status.FINISHED

TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (W, Action.START_WORK): P,
    (A, Action.START_WORK): P,
    (W, Action.AGENT_REPLY): A,
    (P, Action.AGENT_REPLY): A,
    (A, Action.AGENT_REPLY): A,
    # A customer adding detail before anyone looked keeps it waiting; on a ticket being worked it
    # stays in progress; an answer to "awaiting your reply" hands it back to the agent.
    (W, Action.CUSTOMER_REPLY): W,
    (P, Action.CUSTOMER_REPLY): P,
    (A, Action.CUSTOMER_REPLY): P,
    (W, Action.FINISH): F,
    (P, Action.FINISH): F,
    (A, Action.FINISH): F,
    # Reopened work waits for support again, as a new request would.
    (F, Action.REOPEN): W,
}


def next_status(status: Status, action: Action) -> Status:
    """Where ``action`` takes a ticket in ``status``; raises IllegalTransition when it may not."""
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise IllegalTransition(status, action) from None

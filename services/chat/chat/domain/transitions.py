"""Where a conversation may go from where it is: the one transition table, and its refusals."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """A conversation's status (the wire codes of ``contracts.chat.ConversationStatus``)."""

    QUEUED = "queued"
    ACTIVE = "active"
    CLOSED = "closed"
    ABANDONED = "abandoned"
    OFFLINE = "offline"


class Action(StrEnum):
    """What can happen to a conversation."""

    ACCEPT = "accept"
    POST = "post"  # a message or a file
    TRANSFER_TO_AGENT = "transfer_to_agent"
    TRANSFER_TO_DEPARTMENT = "transfer_to_department"
    CLOSE = "close"
    ABANDON = "abandon"
    LEAVE_MESSAGE = "leave_message"
    REQUEST_TRANSCRIPT = "request_transcript"
    RATE = "rate"  # the customer's rating, once the chat has ended


ENDED = frozenset({Status.CLOSED, Status.ABANDONED, Status.OFFLINE})

_NEXT: dict[tuple[Status, Action], Status] = {
    (Status.QUEUED, Action.ACCEPT): Status.ACTIVE,
    (Status.QUEUED, Action.CLOSE): Status.CLOSED,
    (Status.QUEUED, Action.ABANDON): Status.ABANDONED,
    (Status.QUEUED, Action.LEAVE_MESSAGE): Status.OFFLINE,
    (Status.ACTIVE, Action.POST): Status.ACTIVE,
    (Status.ACTIVE, Action.TRANSFER_TO_AGENT): Status.ACTIVE,
    (Status.ACTIVE, Action.TRANSFER_TO_DEPARTMENT): Status.QUEUED,
    (Status.ACTIVE, Action.CLOSE): Status.CLOSED,
    (Status.ACTIVE, Action.ABANDON): Status.ABANDONED,
    (Status.CLOSED, Action.REQUEST_TRANSCRIPT): Status.CLOSED,
    (Status.ABANDONED, Action.REQUEST_TRANSCRIPT): Status.ABANDONED,
    (Status.CLOSED, Action.RATE): Status.CLOSED,
    (Status.ABANDONED, Action.RATE): Status.ABANDONED,
}


class Refused(Exception):
    """A command the conversation's rules refuse; ``reason`` is the code callers see."""

    reason = "illegal_transition"

    def __init__(self, status: str, action: str) -> None:
        super().__init__(f"{self.reason}: {action} while {status}")
        self.status = status
        self.action = action


class AlreadyAccepted(Refused):
    """Another agent accepted it first (or it was taken out of the queue)."""

    reason = "already_accepted"


class ConversationEnded(Refused):
    """It is closed, abandoned or became an offline message."""

    reason = "conversation_closed"


class NotActive(Refused):
    """It is still waiting in the queue: nobody accepted it yet."""

    reason = "not_active"


class NotAParticipant(Refused):
    """The author is neither its customer nor its agent."""

    reason = "not_a_participant"


class EmptyMessage(Refused):
    """A post with neither text nor a file."""

    reason = "empty_message"


class TransferTargetMissing(Refused):
    """A transfer that names neither an agent nor a department."""

    reason = "transfer_target_missing"


class ChatNotEnded(Refused):
    """A rating for a chat that is still going on (or that was only ever a message, never a chat)."""

    reason = "chat_not_ended"


class SameAgent(Refused):
    """A transfer to the agent who already has it."""

    reason = "same_agent"


def next_status(status: str, action: Action) -> Status:
    """The status after ``action``; raises the refusal that says why it cannot happen."""
    current = Status(status)
    found = _NEXT.get((current, action))
    if found is not None:
        return found
    if action is Action.RATE:
        raise ChatNotEnded(current, action)
    if current in ENDED:
        raise ConversationEnded(current, action)
    if current is Status.ACTIVE and action in (Action.ACCEPT, Action.LEAVE_MESSAGE):
        raise AlreadyAccepted(current, action)
    if current is Status.QUEUED and action in (
        Action.POST,
        Action.TRANSFER_TO_AGENT,
        Action.TRANSFER_TO_DEPARTMENT,
    ):
        raise NotActive(current, action)
    raise Refused(current, action)

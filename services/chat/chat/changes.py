"""Each command as a change to one conversation: decided in order inside a batch, saved with it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from chat.domain.conversation import Conversation, conversation_id
from chat.domain.summary import Summary
from chat.domain.transitions import Action, NotAParticipant, Status

# (the conversation as it is, or None if it does not exist; now) → (the conversation after, a value)
Decide = Callable[[Conversation | None, datetime], tuple[Conversation, Any]]


class ConversationNotFound(LookupError):
    """No conversation has this id."""


@dataclass(frozen=True)
class Change:
    """What one command does to one conversation.

    ``creates``: a start, saved without a read first. ``read_your_writes``: the answer waits until
    the views show the change (queues, lists); a message does not — the gap-fill reads the event
    store's tail behind the views, so the conversation itself is always current.
    """

    conversation_id: UUID
    decide: Decide
    creates: bool = False
    read_your_writes: bool = True


@dataclass(frozen=True)
class Outcome:
    """A change as saved: the conversation right after it, the events it recorded and its value."""

    summary: Summary
    events: tuple[Any, ...]
    value: Any = None


def _existing(found: Conversation | None, conversation: UUID) -> Conversation:
    if found is None:
        raise ConversationNotFound(str(conversation))
    return found


def start(request_id: str, department: str, customer_email: str, customer_name: str, question: str) -> Change:
    """A new chat in its department's queue; a repeated request finds the one it started."""

    def decide(found: Conversation | None, at: datetime) -> tuple[Conversation, Any]:
        if found is not None:
            return found, None
        return Conversation.start(request_id, department, customer_email, customer_name, question, at), None

    return Change(conversation_id(request_id), decide, creates=True)


def leave_message(
    request_id: str,
    department: str,
    customer_email: str,
    customer_name: str,
    message: str,
    conversation: UUID | None = None,
) -> Change:
    """A message instead of a chat: a new conversation, or the queued one that waited too long."""
    if conversation is None:

        def create(found: Conversation | None, at: datetime) -> tuple[Conversation, Any]:
            if found is not None:
                return found, None
            made = Conversation.leave_message(
                request_id, department, customer_email, customer_name, message, at
            )
            return made, None

        return Change(conversation_id(request_id), create, creates=True)

    def convert(found: Conversation | None, at: datetime) -> tuple[Conversation, Any]:
        existing = _existing(found, conversation)
        if existing.customer_email != customer_email.lower():
            raise NotAParticipant(existing.status, Action.LEAVE_MESSAGE)
        existing.leave_message_instead(message, at)
        return existing, None

    return Change(conversation, convert)


def accept(conversation: UUID, agent_id: str, agent_name: str, *, auto: bool = False) -> Change:
    """An agent takes it from the queue."""

    def decide(found: Conversation | None, at: datetime) -> tuple[Conversation, Any]:
        existing = _existing(found, conversation)
        existing.accept(agent_id, agent_name, at, auto)
        return existing, None

    return Change(conversation, decide)


def post(
    conversation: UUID,
    client_id: str,
    author_kind: str,
    author_id: str,
    author_name: str,
    text: str | None,
    attachment_id: str | None,
) -> Change:
    """A message or file; the value is its (seq, at)."""

    def decide(found: Conversation | None, at: datetime) -> tuple[Conversation, Any]:
        existing = _existing(found, conversation)
        return existing, existing.post(
            client_id, author_kind, author_id, author_name, text, attachment_id, at
        )

    return Change(conversation, decide, read_your_writes=False)


def transfer(
    conversation: UUID,
    by_agent_id: str,
    to_agent_id: str | None,
    to_agent_name: str | None,
    to_department: str | None,
) -> Change:
    """To another agent, or back to a department's queue."""

    def decide(found: Conversation | None, at: datetime) -> tuple[Conversation, Any]:
        existing = _existing(found, conversation)
        existing.transfer(by_agent_id, to_agent_id, to_agent_name, to_department, at)
        return existing, None

    return Change(conversation, decide)


def close(conversation: UUID, by_kind: str, by_id: str, send_transcript: bool) -> Change:
    """The agent or the customer ends it."""

    def decide(found: Conversation | None, at: datetime) -> tuple[Conversation, Any]:
        existing = _existing(found, conversation)
        existing.close(by_kind, by_id, send_transcript, at)
        return existing, None

    return Change(conversation, decide)


def rate(conversation: UUID, customer_email: str | None, score: int, comment: str) -> Change:
    """The customer rates the ended chat; a customer named (the portal's) must be its customer."""

    def decide(found: Conversation | None, at: datetime) -> tuple[Conversation, Any]:
        existing = _existing(found, conversation)
        if customer_email is not None and existing.customer_email != customer_email.lower():
            raise ConversationNotFound(str(conversation))  # someone else's chat: as if there were none
        existing.rate(score, comment, at)
        return existing, None

    return Change(conversation, decide)


def abandon(conversation: UUID, last_seen: datetime) -> Change:
    """The customer was last seen at ``last_seen``: abandon it, unless it ended or they wrote since.

    The value says whether it was abandoned now (replicas may both try: the second finds it ended).
    """

    def decide(found: Conversation | None, at: datetime) -> tuple[Conversation, Any]:
        existing = _existing(found, conversation)
        if existing.customer_seen_at > last_seen or existing.status not in (Status.QUEUED, Status.ACTIVE):
            return existing, False
        existing.abandon(last_seen, at)
        return existing, True

    return Change(conversation, decide)

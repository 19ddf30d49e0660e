"""What insights knows of each ticket, chat and rating: folded from the facts the services publish."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Outcome = Literal["closed", "abandoned"]
Kind = Literal["ticket", "chat"]


@dataclass(frozen=True)
class StatusSpan:
    """A stretch of time a ticket spent in one status (``end`` None: it is still there)."""

    status: str  # waiting, in_progress, awaiting_customer, finished
    start: datetime
    end: datetime | None


@dataclass(frozen=True)
class TicketRecord:
    """One ticket as the figures and the grouping read it."""

    ticket_id: str
    number: int
    department: str | None
    channel: str  # portal, email, chat (a chat's "leave a message" opens a ticket on channel chat)
    customer_email: str
    subject: str
    text: str  # what it is about: the subject and the customer's opening message
    opened_at: datetime
    first_response_at: datetime | None  # the first public reply by an agent
    first_responder: str | None  # that agent's account id
    finished_at: datetime | None  # when it was last finished; None while it is not finished
    assignee: str | None  # the agent's account id, now
    spans: tuple[StatusSpan, ...]  # oldest first; the last one is the current status


@dataclass(frozen=True)
class ChatRecord:
    """One live chat as the figures and the grouping read it."""

    conversation_id: str
    department: str
    customer_email: str
    question: str  # the start form's question
    text: str  # what it is about: the question and the customer's messages
    requested_at: datetime
    accepted_at: datetime | None
    waited_s: float | None  # time in the queue until accepted
    agent_id: str | None  # the agent who held it last
    closed_at: datetime | None
    outcome: Outcome | None  # None while it is going on
    messages: int


@dataclass(frozen=True)
class RatingRecord:
    """A customer's satisfaction with a finished ticket or a closed chat (1–5, and a comment)."""

    kind: Kind
    subject_id: str  # the ticket's or the conversation's id
    department: str | None
    agent_id: str | None  # who answered (the ticket's assignee or first responder, the chat's agent)
    score: int
    comment: str
    rated_at: datetime
    number: int | None = None  # a ticket's number, for display (None for a chat)

"""A conversation at one moment, as lists, answers and frames show it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from chat.domain.transitions import Status


@dataclass(frozen=True)
class Rating:
    """The customer's rating of an ended chat (the latest, if they rated it again)."""

    score: int
    comment: str
    rated_at: datetime


@dataclass(frozen=True)
class Summary:
    """A conversation as lists and answers show it, at one moment."""

    conversation_id: UUID
    status: Status
    department: str
    customer_email: str
    customer_name: str
    question: str
    agent_id: str | None
    agent_name: str | None
    requested_at: datetime
    accepted_at: datetime | None
    closed_at: datetime | None
    last_seq: int
    rating: Rating | None = None

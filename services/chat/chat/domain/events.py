"""What happens to a conversation: its past-tense events, each applying itself to the aggregate.

Each event carries what its fact needs on the wire (the relay translates without reading), and
``seq`` when it is shown in the conversation. ``apply`` only records what was decided; it also runs
on replay.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from eventsourcing.domain import Aggregate

from chat.domain.transitions import Status

if TYPE_CHECKING:
    from chat.domain.conversation import Conversation

CUSTOMER = "customer"


class Requested(Aggregate.Created):
    """The start form was sent (``offline``: the "leave a message" form, nobody could answer)."""

    request_id: str
    department: str
    customer_email: str
    customer_name: str
    question: str
    offline: bool
    at: datetime


class Queued(Aggregate.Event):
    """It waits in a department's queue (after the start, or a transfer back to a queue)."""

    department: str
    at: datetime

    def apply(self, aggregate: Conversation) -> None:
        aggregate.status = Status.QUEUED.value
        aggregate.department = self.department
        aggregate.queued_at = self.at
        aggregate.agent_id = aggregate.agent_name = None


class Accepted(Aggregate.Event):
    """An agent took it from the queue (``auto``: the service assigned it)."""

    seq: int
    agent_id: str
    agent_name: str
    department: str
    waited_s: float
    auto: bool
    at: datetime

    def apply(self, aggregate: Conversation) -> None:
        aggregate.status = Status.ACTIVE.value
        aggregate.agent_id, aggregate.agent_name = self.agent_id, self.agent_name
        aggregate.last_agent_id = self.agent_id
        aggregate.accepted_at = self.at
        aggregate.last_seq = self.seq


class MessagePosted(Aggregate.Event):
    """A message from the customer or the agent."""

    seq: int
    client_id: str
    author_kind: str
    author_id: str
    author_name: str
    text: str
    at: datetime

    def apply(self, aggregate: Conversation) -> None:
        _posted(aggregate, self.seq, self.client_id, self.author_kind, self.at)


class FileShared(Aggregate.Event):
    """A file (stored by the files service) from the customer or the agent, with an optional caption."""

    seq: int
    client_id: str
    author_kind: str
    author_id: str
    author_name: str
    attachment_id: str
    text: str | None
    at: datetime

    def apply(self, aggregate: Conversation) -> None:
        _posted(aggregate, self.seq, self.client_id, self.author_kind, self.at)


class Transferred(Aggregate.Event):
    """The agent handed it to another agent, or back to a department's queue (``to_agent_id`` None)."""

    seq: int
    by_agent_id: str
    by_name: str
    from_agent_id: str | None
    to_agent_id: str | None
    to_agent_name: str | None
    department: str
    at: datetime

    def apply(self, aggregate: Conversation) -> None:
        aggregate.last_seq = self.seq
        aggregate.department = self.department
        if self.to_agent_id is not None:
            aggregate.agent_id, aggregate.agent_name = self.to_agent_id, self.to_agent_name
            aggregate.last_agent_id = self.to_agent_id


class Ended(Aggregate.Event):
    """Base of the events that end a conversation; they repeat who it was with (facts stand alone)."""

    seq: int
    department: str
    customer_email: str
    customer_name: str
    at: datetime
    ENDS_AS = Status.CLOSED

    def apply(self, aggregate: Conversation) -> None:
        aggregate.status = self.ENDS_AS.value
        aggregate.closed_at = self.at
        aggregate.last_seq = self.seq


class Closed(Ended):
    """The agent or the customer closed it."""

    by_kind: str
    by_id: str
    by_name: str
    send_transcript: bool
    agent_id: str | None
    messages: int

    def apply(self, aggregate: Conversation) -> None:
        super().apply(aggregate)
        aggregate.transcript = self.send_transcript


class Abandoned(Ended):
    """The customer was not seen since ``last_seen``, past the timeout, while it was queued or active."""

    last_seen: datetime
    agent_id: str | None
    messages: int
    ENDS_AS = Status.ABANDONED


class OfflineMessageLeft(Ended):
    """Nobody could answer: the customer's message becomes a ticket, answered by email."""

    message: str
    question: str
    ENDS_AS = Status.OFFLINE


class TranscriptRequested(Aggregate.Event):
    """The customer asked for the transcript after the chat had ended."""

    department: str
    customer_email: str
    customer_name: str
    agent_id: str | None
    messages: int
    at: datetime

    def apply(self, aggregate: Conversation) -> None:
        aggregate.transcript = True


class Rated(Aggregate.Event):
    """The customer rated the ended chat (``agent_id``: who held it last); it replaces an earlier rating."""

    department: str
    customer_email: str
    agent_id: str | None
    score: int
    comment: str
    at: datetime

    def apply(self, aggregate: Conversation) -> None:
        aggregate.rating_score, aggregate.rating_comment, aggregate.rated_at = (
            self.score,
            self.comment,
            self.at,
        )


def _posted(aggregate: Conversation, seq: int, client_id: str, author_kind: str, at: datetime) -> None:
    aggregate.last_seq = seq
    aggregate.messages += 1
    aggregate.posted[client_id] = (seq, at)
    if author_kind == CUSTOMER:
        aggregate.customer_seen_at = at

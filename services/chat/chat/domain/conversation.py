"""The Conversation aggregate: a chat from the start form to its end (guide 003), rebuilt from events."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from chat.domain import events
from chat.domain.summary import Rating, Summary
from chat.domain.transitions import (
    ENDED,
    Action,
    EmptyMessage,
    NotAParticipant,
    SameAgent,
    Status,
    TransferTargetMissing,
    next_status,
)

# Conversation ids derive from the start request: a retried start finds the chat it began.
_NAMESPACE = uuid5(NAMESPACE_URL, "https://atende.dev/chat")
CUSTOMER, AGENT, SYSTEM = events.CUSTOMER, "agent", "system"


def conversation_id(request_id: str) -> UUID:
    """The id of the conversation that ``request_id`` starts (or started)."""
    return uuid5(_NAMESPACE, request_id)


class Conversation(Aggregate):
    """One chat. Entries (everything shown in it) carry a per-conversation sequence number from 1."""

    # The events (chat.domain.events); eventsourcing nests a subclass of each here.
    Requested = events.Requested
    Queued = events.Queued
    Accepted = events.Accepted
    MessagePosted = events.MessagePosted
    FileShared = events.FileShared
    Transferred = events.Transferred
    Closed = events.Closed
    Abandoned = events.Abandoned
    OfflineMessageLeft = events.OfflineMessageLeft
    TranscriptRequested = events.TranscriptRequested
    Rated = events.Rated

    # Class defaults: conversations snapshotted before these existed load without them.
    last_agent_id: str | None = None  # who held it last, even after a transfer back to a queue
    # The customer's latest rating (plain values: snapshots store the state as JSON).
    rating_score: int | None = None
    rating_comment = ""
    rated_at: datetime | None = None

    @staticmethod
    def create_id(request_id: str, **_: Any) -> UUID:
        """Ids derive from the request id (idempotent creation)."""
        return conversation_id(request_id)

    @event(Requested)
    def __init__(
        self,
        request_id: str,
        department: str,
        customer_email: str,
        customer_name: str,
        question: str,
        offline: bool,
        at: datetime,
    ) -> None:
        self.request_id = request_id
        self.department = department
        self.customer_email = customer_email
        self.customer_name = customer_name
        self.question = question
        self.requested_at = at
        # Queued until it is accepted or becomes a message; a status kept as its plain string code.
        self.status: str = Status.QUEUED.value
        self.agent_id: str | None = None
        self.agent_name: str | None = None
        self.queued_at: datetime | None = None
        self.accepted_at: datetime | None = None
        self.closed_at: datetime | None = None
        self.last_seq = 1  # the request itself is entry 1 (the question)
        self.messages = 0
        # client_id → (seq, at) of every post: a retry is answered with what the first got.
        self.posted: dict[str, tuple[int, datetime]] = {}
        self.customer_seen_at = at
        self.transcript = False

    @classmethod
    def start(
        cls,
        request_id: str,
        department: str,
        customer_email: str,
        customer_name: str,
        question: str,
        at: datetime,
    ) -> Conversation:
        """A new chat, queued in its department."""
        conversation = cls(
            request_id=request_id,
            department=department,
            customer_email=customer_email,
            customer_name=customer_name,
            question=question,
            offline=False,
            at=at,
        )
        conversation.trigger_event(cls.Queued, department=department, at=at)
        return conversation

    @classmethod
    def leave_message(
        cls,
        request_id: str,
        department: str,
        customer_email: str,
        customer_name: str,
        message: str,
        at: datetime,
    ) -> Conversation:
        """Nobody online: the form's message is the whole conversation, and it becomes a ticket."""
        conversation = cls(
            request_id=request_id,
            department=department,
            customer_email=customer_email,
            customer_name=customer_name,
            question=message,
            offline=True,
            at=at,
        )
        conversation.leave_message_instead(message, at)
        return conversation

    # Commands: each checks the rules first, then records what happened.

    def leave_message_instead(self, message: str, at: datetime) -> None:
        """A queued chat that waited too long becomes a message (a retry changes nothing)."""
        if self.status == Status.OFFLINE:
            return
        next_status(self.status, Action.LEAVE_MESSAGE)
        self._end(self.OfflineMessageLeft, at, message=message, question=self.question)

    def accept(self, agent_id: str, agent_name: str, at: datetime, auto: bool = False) -> None:
        """An agent takes it; the first accept wins (the winner's retry changes nothing)."""
        if self.status == Status.ACTIVE and self.agent_id == agent_id:
            return
        next_status(self.status, Action.ACCEPT)
        waited = max(0.0, (at - (self.queued_at or self.requested_at)).total_seconds())
        self.trigger_event(
            self.Accepted,
            seq=self.last_seq + 1,
            agent_id=agent_id,
            agent_name=agent_name,
            department=self.department,
            waited_s=waited,
            auto=auto,
            at=at,
        )

    def post(
        self,
        client_id: str,
        author_kind: str,
        author_id: str,
        author_name: str,
        text: str | None,
        attachment_id: str | None,
        at: datetime,
    ) -> tuple[int, datetime]:
        """A message or a file; returns its (seq, at). A client_id seen before answers the same."""
        if client_id in self.posted:
            seq, posted_at = self.posted[client_id]
            return seq, posted_at
        if author_kind not in (CUSTOMER, AGENT) or (
            author_kind == CUSTOMER and author_id.lower() != self.customer_email
        ):
            raise NotAParticipant(self.status, Action.POST)
        next_status(self.status, Action.POST)
        if author_kind == AGENT and author_id != self.agent_id:
            raise NotAParticipant(self.status, Action.POST)
        if attachment_id is None and not (text or "").strip():
            raise EmptyMessage(self.status, Action.POST)
        seq = self.last_seq + 1
        author = {"client_id": client_id, "author_kind": author_kind, "author_id": author_id}
        author["author_name"] = author_name
        if attachment_id is not None:
            self.trigger_event(
                self.FileShared, seq=seq, attachment_id=attachment_id, text=text or None, at=at, **author
            )
        else:
            self.trigger_event(self.MessagePosted, seq=seq, text=text or "", at=at, **author)
        return seq, at

    def transfer(
        self,
        by_agent_id: str,
        to_agent_id: str | None,
        to_agent_name: str | None,
        to_department: str | None,
        at: datetime,
    ) -> None:
        """Hand it to another agent (staying active), or back to a department's queue."""
        if to_agent_id is None and to_department is None:
            raise TransferTargetMissing(self.status, Action.TRANSFER_TO_AGENT)
        action = Action.TRANSFER_TO_DEPARTMENT if to_agent_id is None else Action.TRANSFER_TO_AGENT
        next_status(self.status, action)
        if by_agent_id != self.agent_id:
            raise NotAParticipant(self.status, action)
        department = to_department or self.department
        if to_agent_id == self.agent_id and department == self.department:
            raise SameAgent(self.status, action)
        self.trigger_event(
            self.Transferred,
            seq=self.last_seq + 1,
            by_agent_id=by_agent_id,
            by_name=self.agent_name or "",
            from_agent_id=self.agent_id,
            to_agent_id=to_agent_id,
            to_agent_name=to_agent_name,
            department=department,
            at=at,
        )
        if to_agent_id is None:
            self.trigger_event(self.Queued, department=department, at=at)

    def close(self, by_kind: str, by_id: str, send_transcript: bool, at: datetime) -> None:
        """End it; closing an ended chat changes nothing, except a customer's late ask for the transcript."""
        self._check_closer(by_kind, by_id)
        if Status(self.status) in ENDED:
            wants = by_kind == CUSTOMER and send_transcript and not self.transcript
            if wants and self.status != Status.OFFLINE:
                next_status(self.status, Action.REQUEST_TRANSCRIPT)
                self.trigger_event(
                    self.TranscriptRequested,
                    department=self.department,
                    customer_email=self.customer_email,
                    customer_name=self.customer_name,
                    agent_id=self.agent_id,
                    messages=self.messages,
                    at=at,
                )
            return
        next_status(self.status, Action.CLOSE)
        by_name = (
            self.customer_name
            if by_kind == CUSTOMER
            else (self.agent_name or "")
            if by_id == self.agent_id
            else ""
        )
        self._end(
            self.Closed,
            at,
            by_kind=by_kind,
            by_id=by_id,
            by_name=by_name,
            send_transcript=send_transcript,
            agent_id=self.agent_id,
            messages=self.messages,
        )

    def abandon(self, last_seen: datetime, at: datetime) -> None:
        """The customer went away (not seen since ``last_seen``) while it was queued or active."""
        next_status(self.status, Action.ABANDON)
        self._end(self.Abandoned, at, last_seen=last_seen, agent_id=self.agent_id, messages=self.messages)

    def rate(self, score: int, comment: str, at: datetime) -> None:
        """The customer's rating of the ended chat: a new one replaces it, the same again changes nothing."""
        next_status(self.status, Action.RATE)
        if self.rated_at is not None and (self.rating_score, self.rating_comment) == (score, comment):
            return
        self.trigger_event(
            self.Rated,
            department=self.department,
            customer_email=self.customer_email,
            agent_id=self.agent_id or self.last_agent_id,
            score=score,
            comment=comment,
            at=at,
        )

    def summary(self) -> Summary:
        """What it looks like now."""
        return Summary(
            conversation_id=self.id,
            status=Status(self.status),
            department=self.department,
            customer_email=self.customer_email,
            customer_name=self.customer_name,
            question=self.question,
            agent_id=self.agent_id,
            agent_name=self.agent_name,
            requested_at=self.requested_at,
            accepted_at=self.accepted_at,
            closed_at=self.closed_at,
            last_seq=self.last_seq,
            rating=(
                Rating(self.rating_score, self.rating_comment, self.rated_at)
                if self.rating_score is not None and self.rated_at is not None
                else None
            ),
        )

    def _end(self, ending: type[events.Ended], at: datetime, **fields: Any) -> None:
        """Record an end (closed, abandoned, offline) with who the chat was with."""
        self.trigger_event(
            ending,
            seq=self.last_seq + 1,
            department=self.department,
            customer_email=self.customer_email,
            customer_name=self.customer_name,
            at=at,
            **fields,
        )

    def _check_closer(self, by_kind: str, by_id: str) -> None:
        if by_kind == CUSTOMER and by_id.lower() != self.customer_email:
            raise NotAParticipant(self.status, Action.CLOSE)
        # An agent closes their own chat; any agent may close a queued one (spam, a duplicate).
        if by_kind == AGENT and self.status == Status.ACTIVE and by_id != self.agent_id:
            raise NotAParticipant(self.status, Action.CLOSE)
        if by_kind not in (CUSTOMER, AGENT, SYSTEM):
            raise NotAParticipant(self.status, Action.CLOSE)

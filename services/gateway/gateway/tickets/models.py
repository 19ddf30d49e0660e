"""The ticket API's HTTP bodies: what clients send and what they get back, with status names."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from contracts.ticket_commands import TicketRating, TicketV1
from contracts.ticket_queries import HistoryEntry, TicketHistoryV1, TicketSummary
from contracts.tickets import RefusedAttachment, TicketStatus
from gateway.domain.messages import text
from gateway.files.models import AttachmentOut
from gateway.openapi import ApiId


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class NewTicket(_In):
    """Nova solicitação."""

    subject: str = Field(min_length=1, max_length=500)
    description: str = Field(min_length=1, max_length=100_000)
    department: str | None = Field(default=None, max_length=100)
    # Ids as the commands take them (an empty one was a 500 when the command was built).
    attachment_ids: list[ApiId] = Field(default_factory=list, max_length=20)


class NewReply(_In):
    """A public reply (customer or agent)."""

    body: str = Field(min_length=1, max_length=100_000)
    attachment_ids: list[ApiId] = Field(default_factory=list, max_length=20)
    expected_version: int | None = Field(default=None, ge=1, description="The version the writer saw.")


class NewNote(_In):
    """An internal note: agents only, never shown to customers."""

    body: str = Field(min_length=1, max_length=100_000)
    expected_version: int | None = Field(default=None, ge=1)


class StatusChange(_In):
    """Move a ticket: in_progress (work on it), finished, or waiting (reopen a finished one)."""

    status: TicketStatus
    expected_version: int = Field(ge=1, description="The version the agent saw; another is a 409.")


class Assignment(_In):
    """Give the ticket to an agent (an account id), or to nobody (null)."""

    agent_id: ApiId | None
    expected_version: int = Field(ge=1)


class NewRating(_In):
    """How the support was: 1 (Muito ruim) to 5 (Excelente), with an optional comment."""

    score: int = Field(description="1 Muito ruim, 2 Ruim, 3 Regular, 4 Bom, 5 Excelente.")
    comment: str | None = Field(
        default=None,
        max_length=2_000,
        description="Words for the team; omitted: keep the comment given before.",
    )

    @field_validator("score", mode="before")
    @classmethod
    def _one_to_five(cls, score: object) -> object:
        # One reason for every wrong score (a text, a fraction, 0, 6): what the form says to fix.
        if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
            raise PydanticCustomError("score_invalid", "score must be a whole number from 1 to 5")
        return score


class KeyedRating(NewRating):
    """A rating from the mailed link: its key proves the rater holds the customer's mail."""

    key: str = Field(min_length=1, max_length=200, description="The ``key`` of the mailed rating link.")


class Rating(BaseModel):
    """The customer's current rating of a finished ticket."""

    score: int
    comment: str
    rated_at: datetime


class Ticket(BaseModel):
    """A ticket as a list or a page shows it."""

    id: str
    number: int
    reference: str = Field(description="The number as people say it: #1042.")
    subject: str
    status: TicketStatus
    status_label: str = Field(description="The status's name in the response's language.")
    channel: str
    department: str | None
    assignee: str | None = Field(description="The agent's account id; agents only, null for customers.")
    assignee_name: str | None = Field(default=None, description="Agents only.")
    customer_name: str | None = Field(default=None, description="Agents only: who asked.")
    customer_email: str | None = Field(default=None, description="Agents only.")
    opened_at: datetime
    last_activity_at: datetime
    version: int
    replies: int | None = None
    reopens: int | None = Field(default=None, description="Number of the finished ticket this continues.")


class Count(BaseModel):
    """How many tickets share a status or a department."""

    key: str | None
    label: str | None
    count: int


class TicketPage(BaseModel):
    """A page of tickets; the inbox adds counts by status and by department."""

    tickets: list[Ticket]
    total: int
    limit: int
    offset: int
    by_status: list[Count] = Field(default_factory=list)
    by_department: list[Count] = Field(default_factory=list)


class RefusedFile(BaseModel):
    """A file that came with a message (an email) but was refused: nothing of it was kept but this."""

    filename: str = Field(description="The file's name as it came.")
    reason: str = Field(description="The files service's rule, e.g. extension_not_allowed.")
    message: str = Field(description="The reason in the response's language.")


class Entry(BaseModel):
    """One event of a ticket's history."""

    version: int
    kind: str = Field(description="opened, replied, note, status_changed, assigned, closed, reopened")
    internal: bool
    actor_kind: str
    actor: str = Field(description="An agent's account id, or the customer's email.")
    actor_name: str | None = Field(description="Who, as people read it (the agent's or the customer's name).")
    at: datetime
    channel: str | None
    body: str | None
    attachment_ids: list[str]
    previous_status: TicketStatus | None
    status: TicketStatus | None
    status_label: str | None
    assignee: str | None
    assignee_name: str | None = None
    threaded_by: str | None = Field(
        default=None,
        description="Agents only: what put an emailed reply on this ticket (in-reply-to, references, subject-tag).",
    )
    refused_attachments: list[RefusedFile] = Field(
        default_factory=list, description="Files that came with this message but were refused, and why."
    )
    score: int | None = Field(default=None, description="A rated entry's score, 1 to 5 (its comment: body).")


class TicketDetail(BaseModel):
    """One ticket with its whole history, oldest first."""

    ticket: Ticket
    history: list[Entry]
    attachments: list[AttachmentOut] = Field(
        default_factory=list, description="The files its history names: names, types, sizes and links."
    )
    rating: Rating | None = Field(default=None, description="The customer's current rating, if any.")


def rating_out(rating: TicketRating | None) -> Rating | None:
    """The rating as the API shows it."""
    return (
        None
        if rating is None
        else Rating(score=rating.score, comment=rating.comment, rated_at=rating.rated_at)
    )


def current_rating(found: TicketHistoryV1) -> Rating | None:
    """The latest rating in a history (a later one replaces the earlier)."""
    rated = [entry for entry in found.entries if entry.kind == "rated" and entry.score is not None]
    if not rated:
        return None
    last = rated[-1]
    assert last.score is not None
    return Rating(score=last.score, comment=last.body or "", rated_at=last.at)


def ticket_out(
    ticket: TicketSummary | TicketV1, language: str, *, staff: bool, names: Mapping[str, str] | None = None
) -> Ticket:
    """A ticket (a list line or a command's answer) for the reader; customers never learn who works it."""
    return Ticket(
        id=ticket.ticket_id,
        number=ticket.number,
        reference=f"#{ticket.number}",
        subject=ticket.subject,
        status=ticket.status,
        status_label=ticket.status.label(language),
        channel=ticket.channel.value,
        department=ticket.department,
        assignee=ticket.assignee if staff else None,
        assignee_name=(names or {}).get(ticket.assignee or "") if staff else None,
        customer_name=(ticket.customer_name or None) if staff else None,
        customer_email=ticket.customer_email if staff else None,
        opened_at=ticket.opened_at,
        last_activity_at=ticket.last_activity_at,
        version=ticket.version,
        replies=ticket.replies,
        reopens=ticket.reopens,
    )


def from_entry(entry: HistoryEntry, language: str, names: Mapping[str, str], customer_name: str) -> Entry:
    """A history entry for the reader, with people's names (agents' from their accounts)."""
    kind = entry.actor_kind.value
    return Entry(
        version=entry.version,
        kind=entry.kind,
        internal=entry.internal,
        actor_kind=kind,
        actor=entry.actor,
        actor_name=customer_name or None if kind == "customer" else names.get(entry.actor),
        at=entry.at,
        channel=entry.channel.value if entry.channel else None,
        body=entry.body,
        attachment_ids=list(entry.attachment_ids),
        previous_status=entry.previous_status,
        status=entry.status,
        status_label=entry.status.label(language) if entry.status else None,
        assignee=entry.assignee,
        assignee_name=names.get(entry.assignee or ""),
        threaded_by=entry.threaded_by,  # the tickets service fills it for agents' histories only
        refused_attachments=[refused_file(item, language) for item in entry.refused_attachments],
        score=entry.score,
    )


def refused_file(refused: RefusedAttachment, language: str) -> RefusedFile:
    """A refused file for the reader: its rule's code and what the rule means, in their language."""
    return RefusedFile(
        filename=refused.filename, reason=refused.reason_code, message=text(refused.reason_code, language)
    )

"""Queries over the tickets read models (customer's list, agent inbox, history) and their answers."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from contracts.common import ActorKind, Channel, Email, Id, LongText, Score, ShortText, TicketNumber
from contracts.envelope import Message
from contracts.registry import message_type
from contracts.tickets import RefusedAttachment, TicketStatus


class Part(BaseModel):
    """A structure inside a message: same evolution rules (readers ignore unknown fields)."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class TicketSummary(Part):
    """One line of a list: what the customer's list and the agent inbox show."""

    ticket_id: Id
    number: TicketNumber
    subject: ShortText
    status: TicketStatus
    channel: Channel
    customer_email: Email
    customer_name: ShortText
    department: ShortText | None
    assignee: Id | None
    opened_at: datetime
    last_activity_at: datetime = Field(description="Last change; for customers, last public change.")
    replies: int = Field(ge=0)
    version: int = Field(ge=1)
    reopens: TicketNumber | None = None


class HistoryEntry(Part):
    """One event of a ticket's history: who did what, when."""

    version: int = Field(ge=1)
    kind: ShortText = Field(
        description="opened, replied, note, status_changed, assigned, closed, reopened, delivery_failed, rated."
    )
    internal: bool = Field(
        description="Agents only (notes, assignments, delivery failures); never sent to customers."
    )
    actor_kind: ActorKind
    actor: Id
    at: datetime
    channel: Channel | None = None
    body: LongText | None = None
    attachment_ids: list[Id] = Field(default_factory=list)
    previous_status: TicketStatus | None = None
    status: TicketStatus | None = None
    assignee: Id | None = None
    threaded_by: ShortText | None = Field(
        default=None,
        description="Agents only: what put an emailed reply on this ticket (in-reply-to, references, subject-tag).",
    )
    refused_attachments: list[RefusedAttachment] = Field(
        default_factory=list, description="Files that came with this message but were refused, and why."
    )
    score: Score | None = Field(default=None, description="A rated entry's score (its comment is the body).")


class StatusCount(Part):
    """How many tickets have one status."""

    status: TicketStatus
    count: int = Field(ge=0)


class DepartmentCount(Part):
    """How many tickets one department has (None: not routed to any)."""

    department: ShortText | None
    count: int = Field(ge=0)


@message_type("tickets.ListCustomerTickets", 1)
class ListCustomerTicketsV1(Message):
    """A customer's own tickets, latest activity first."""

    customer_email: Email
    email_verified: bool = Field(
        description="False: only tickets the customer opened in the portal; email and chat tickets "
        "from the address show once the customer proved it is theirs."
    )
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0)


@message_type("tickets.SearchInbox", 1)
class SearchInboxV1(Message):
    """The agent inbox: filters, full-text search and counts."""

    departments: list[ShortText] | None = Field(
        default=None, description="Only these departments (None: all; agents pass their own)."
    )
    include_unrouted: bool = Field(default=True, description="Also tickets with no department.")
    status: list[TicketStatus] = Field(default_factory=list, description="Empty: every status.")
    department: ShortText | None = Field(default=None, description="Narrow to one department.")
    assignee: Id | None = Field(default=None, description="An agent id, or '-' for unassigned.")
    text: ShortText | None = Field(default=None, description="Words, or a ticket number like #1042.")
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0)


@message_type("tickets.TicketList", 1)
class TicketListV1(Message):
    """A page of tickets; counts (inbox only) ignore the status and department filters."""

    tickets: list[TicketSummary]
    total: int = Field(ge=0, description="Tickets matching, across all pages.")
    by_status: list[StatusCount] = Field(default_factory=list)
    by_department: list[DepartmentCount] = Field(default_factory=list)


@message_type("tickets.GetTicketHistory", 1)
class GetTicketHistoryV1(Message):
    """A ticket with every event of its history, in order."""

    ticket_id: Id
    include_internal: bool = Field(default=False, description="Agents: notes and assignments too.")
    attachment_id: Id | None = Field(
        default=None,
        description="Only the entries that carry this file (none if none does): a download's check.",
    )


@message_type("tickets.TicketHistory", 1)
class TicketHistoryV1(Message):
    """The answer to GetTicketHistory."""

    ticket: TicketSummary
    entries: list[HistoryEntry]

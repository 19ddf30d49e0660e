"""Commands and queries the tickets service answers over NATS request-reply (the gateway's calls)."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from contracts.common import (
    ActorKind,
    Channel,
    Email,
    Id,
    LongText,
    RatingComment,
    Score,
    ShortText,
    TicketNumber,
)
from contracts.envelope import Message
from contracts.registry import message_type
from contracts.tickets import TicketStatus

Subject = ShortText


class TicketChange(Message):
    """Fields every change to an existing ticket carries."""

    ticket_id: Id
    expected_version: int | None = Field(
        default=None, ge=1, description="The version the caller saw; a different current one is a 409."
    )
    actor_kind: ActorKind
    actor: Id = Field(description="Who acts: an agent's id or the customer's email.")


@message_type("tickets.OpenTicket", 1)
class OpenTicketV1(Message):
    """Open a ticket from the portal; the request id (e.g. an Idempotency-Key) makes retries safe."""

    request_id: Id
    channel: Channel = Channel.PORTAL
    customer_email: Email
    customer_name: ShortText = ""
    subject: ShortText = Field(min_length=1)
    body: LongText = Field(min_length=1)
    department: ShortText | None = None
    attachment_ids: list[Id] = Field(default_factory=list)


@message_type("tickets.GetTicket", 1)
class GetTicketV1(Message):
    """The current state of one ticket."""

    ticket_id: Id


@message_type("tickets.StartWork", 1)
class StartWorkV1(TicketChange):
    """An agent takes the ticket up (Em espera / Aguardando → Em andamento)."""


@message_type("tickets.ReplyToTicket", 1)
class ReplyToTicketV1(TicketChange):
    """A public reply by the customer or an agent."""

    reply_id: Id
    body: LongText = Field(min_length=1)
    channel: Channel = Channel.PORTAL
    attachment_ids: list[Id] = Field(default_factory=list)


@message_type("tickets.AddInternalNote", 1)
class AddInternalNoteV1(TicketChange):
    """An agents-only note."""

    note_id: Id
    body: LongText = Field(min_length=1)


@message_type("tickets.AssignTicket", 1)
class AssignTicketV1(TicketChange):
    """Give the ticket to an agent (None: to nobody)."""

    agent: Id | None


@message_type("tickets.FinishTicket", 1)
class FinishTicketV1(TicketChange):
    """Finish the ticket: an agent's decision or the customer's "my problem is solved"."""


@message_type("tickets.RateTicket", 1)
class RateTicketV1(Message):
    """The customer rates a finished ticket: proven by their signed-in email or by the mailed link's key."""

    ticket_id: Id
    customer_email: Email | None = Field(
        default=None, description="A signed-in customer (the gateway vouches)."
    )
    rating_key: ShortText | None = Field(default=None, description="The key of the mailed rating link.")
    score: Score
    comment: RatingComment = ""


@message_type("tickets.ReopenTicket", 1)
class ReopenTicketV1(TicketChange):
    """Take a finished ticket up again."""


class TicketRating(BaseModel):
    """The customer's current rating of a finished ticket (a later one replaces it)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    score: Score
    comment: RatingComment = ""
    rated_at: datetime


@message_type("tickets.Ticket", 1)
class TicketV1(Message):
    """A ticket as it is now: the reply to every command and query above."""

    ticket_id: Id
    number: TicketNumber
    version: int = Field(ge=1)
    status: TicketStatus
    channel: Channel
    customer_email: Email
    customer_name: ShortText
    subject: Subject
    department: ShortText | None
    assignee: Id | None
    opened_at: datetime
    last_activity_at: datetime
    reopens: TicketNumber | None = None
    replies: int | None = Field(default=None, ge=0, description="Public replies so far.")
    rating: TicketRating | None = Field(default=None, description="The customer's rating, if any.")

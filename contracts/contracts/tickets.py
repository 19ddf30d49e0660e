"""Messages owned by the tickets service: its intake and the facts it publishes."""

from datetime import datetime
from enum import StrEnum
from uuid import NAMESPACE_URL, uuid5

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

# Part of the protocol: the tickets service names a new ticket after the request that opens it, so a
# caller can say in advance where an attachment belongs (the tickets service keeps the same rule).
_TICKET_NAMESPACE = uuid5(NAMESPACE_URL, "https://atende.dev/tickets")


def ticket_id_for(request_id: str) -> str:
    """The id of the ticket that ``request_id`` opens (or opened)."""
    return str(uuid5(_TICKET_NAMESPACE, request_id))


class TicketStatus(StrEnum):
    """Wire codes of guide 000's statuses, with the names every reader shows (pt-BR first)."""

    WAITING = "waiting"
    IN_PROGRESS = "in_progress"
    AWAITING_CUSTOMER = "awaiting_customer"
    FINISHED = "finished"

    def label(self, language: str = "pt-BR") -> str:
        """The name a person reads, as guide 000 names it; English otherwise."""
        names = _LABELS[self]
        return names[0] if language.lower().startswith("pt") else names[1]

    def meaning(self, language: str = "pt-BR") -> str:
        """What the status tells the customer, as guide 000 explains it."""
        texts = _MEANINGS[self]
        return texts[0] if language.lower().startswith("pt") else texts[1]


_LABELS = {
    TicketStatus.WAITING: ("Em espera", "Waiting"),
    TicketStatus.IN_PROGRESS: ("Em andamento", "In progress"),
    TicketStatus.AWAITING_CUSTOMER: ("Aguardando sua resposta", "Awaiting your reply"),
    TicketStatus.FINISHED: ("Finalizado", "Finished"),
}
_MEANINGS = {
    TicketStatus.WAITING: (
        "Sua solicitação foi aberta e aguarda atendimento.",
        "Your request was opened and awaits support.",
    ),
    TicketStatus.IN_PROGRESS: (
        "Sua solicitação já foi vista e está sendo analisada.",
        "Your request has been seen and is being worked on.",
    ),
    TicketStatus.AWAITING_CUSTOMER: (
        "Sua solicitação foi analisada e recebeu comentários do suporte, que aguarda sua resposta.",
        "Support commented on your request and is waiting for your reply.",
    ),
    TicketStatus.FINISHED: ("Sua solicitação foi atendida.", "Your request was resolved."),
}


class RefusedAttachment(BaseModel):
    """A file that came with a request or reply but was refused by the files service, and why."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    filename: ShortText = Field(description="Sanitised original name, for display only.")
    reason_code: ShortText = Field(description="The files service's rule, e.g. extension_not_allowed.")


@message_type("tickets.TicketRequested", 1)
class TicketRequestedV1(Message):
    """Someone asked for support outside the portal (an email, a chat offline message): open a ticket."""

    request_id: Id = Field(
        description="Stable id of the request; the ticket id derives from it (idempotency)."
    )
    channel: Channel
    customer_email: Email
    customer_name: ShortText = ""
    subject: ShortText
    body: LongText
    department: ShortText | None = None
    attachment_ids: list[Id] = Field(default_factory=list)
    refused_attachments: list[RefusedAttachment] = Field(
        default_factory=list, description="Files that came along but were refused; recorded on the ticket."
    )
    source_ref: ShortText | None = Field(default=None, description="E.g. the email's Message-ID.")
    received_at: datetime


@message_type("tickets.TicketOpened", 1)
class TicketOpenedV1(Message):
    """A ticket was opened."""

    ticket_id: Id
    number: TicketNumber
    channel: Channel
    customer_email: Email
    customer_name: ShortText = ""
    subject: ShortText
    body: LongText = Field(default="", description="The customer's opening message (what it is about).")
    department: ShortText | None = None
    status: TicketStatus
    opened_at: datetime
    refused_attachments: list[RefusedAttachment] = Field(
        default_factory=list,
        description="Files that came with the request but were refused, and why (the receipt lists them).",
    )


@message_type("tickets.TicketStatusChanged", 1)
class TicketStatusChangedV1(Message):
    """A ticket moved from one status to another."""

    ticket_id: Id
    number: TicketNumber
    customer_email: Email
    previous_status: TicketStatus
    status: TicketStatus
    changed_by: ActorKind
    changed_at: datetime


@message_type("tickets.TicketReplied", 1)
class TicketRepliedV1(Message):
    """A public reply was added to a ticket (internal notes never leave the tickets service)."""

    ticket_id: Id
    number: TicketNumber
    reply_id: Id
    customer_email: Email
    author_kind: ActorKind
    author_name: ShortText = ""
    body: LongText
    channel: Channel
    attachment_ids: list[Id] = Field(default_factory=list)
    replied_at: datetime
    refused_attachments: list[RefusedAttachment] = Field(
        default_factory=list, description="Files that came with the reply but were refused, and why."
    )


@message_type("tickets.TicketClosed", 1)
class TicketClosedV1(Message):
    """A ticket was finished ("Finalizado")."""

    ticket_id: Id
    number: TicketNumber
    customer_email: Email
    closed_by: ActorKind
    closed_at: datetime
    rating_key: ShortText | None = Field(
        default=None,
        description="Minted once per ticket: the mailed rating link carries it (whoever holds it may rate).",
    )


@message_type("tickets.TicketAssigned", 1)
class TicketAssignedV1(Message):
    """A ticket was given to an agent, or to nobody: agents' business (the customer is not told)."""

    ticket_id: Id
    number: TicketNumber
    customer_email: Email
    assignee: ShortText | None = Field(description="The agent's account id; null: nobody.")
    assigned_by: ShortText = Field(description="The account id of who assigned it.")
    assigned_at: datetime


@message_type("tickets.TicketNoteAdded", 1)
class TicketNoteAddedV1(Message):
    """An agent added an internal note. It says that it happened, never what the note says."""

    ticket_id: Id
    number: TicketNumber
    customer_email: Email
    author: ShortText = Field(description="The agent's account id.")
    noted_at: datetime


@message_type("tickets.TicketRated", 1)
class TicketRatedV1(Message):
    """The customer rated how a finished ticket was handled; a later rating replaces the earlier one."""

    ticket_id: Id
    number: TicketNumber
    customer_email: Email
    department: ShortText | None = None
    agent_id: ShortText | None = Field(
        description="Who answered: the assignee, else the last agent who replied publicly; null: nobody."
    )
    score: Score
    comment: RatingComment = ""
    rated_at: datetime


@message_type("tickets.TicketReplyReceived", 1)
class TicketReplyReceivedV1(Message):
    """A customer answered a ticket outside the portal (an email reply): add it to that ticket.

    If the ticket cannot be found, or the sender is not its customer, tickets opens a new ticket
    from it instead, so nothing is lost and nobody writes into someone else's ticket.
    """

    request_id: Id = Field(description="Stable id of the reply (e.g. from the email's Message-ID).")
    ticket_id: Id | None = Field(default=None, description="Found from our Message-IDs it answers.")
    number: TicketNumber | None = Field(default=None, description="Found from a [#1042] subject tag.")
    threaded_by: ShortText = Field(description="What found the ticket: in-reply-to, references, subject-tag.")
    channel: Channel = Channel.EMAIL
    customer_email: Email
    customer_name: ShortText = ""
    subject: ShortText = ""
    body: LongText
    attachment_ids: list[Id] = Field(default_factory=list)
    refused_attachments: list[RefusedAttachment] = Field(
        default_factory=list, description="Files that came along but were refused; recorded on the ticket."
    )
    source_ref: ShortText | None = Field(default=None, description="E.g. the email's Message-ID.")
    received_at: datetime


@message_type("tickets.TicketBounceReceived", 1)
class TicketBounceReceivedV1(Message):
    """A delivery-status notification (bounce) came back for one of our mails: note it on that ticket.

    Customers never see it; the notifier stops mailing the address until it writes to us again.
    """

    request_id: Id = Field(description="Stable id of the bounce (from its Message-ID): recorded once.")
    ticket_id: Id | None = Field(default=None, description="Found from the original mail's Message-IDs.")
    number: TicketNumber | None = Field(
        default=None,
        description="From the original mail's [#1042] tag; used only if the recipient is its customer.",
    )
    recipient: Email = Field(description="The address our mail could not be delivered to.")
    status: ShortText = Field(default="", description="RFC 3463 status code, e.g. 5.1.1 (empty if none).")
    diagnostic: ShortText = Field(
        default="", description="The remote server's answer, e.g. 550 user unknown."
    )
    source_ref: ShortText | None = Field(default=None, description="The bounce's Message-ID.")
    received_at: datetime


@message_type("tickets.TicketDeliveryFailed", 1)
class TicketDeliveryFailedV1(Message):
    """A mail about the ticket could not be delivered (a bounce). For staff and the notifier only."""

    ticket_id: Id
    number: TicketNumber
    customer_email: Email
    recipient: Email
    status: ShortText = ""
    diagnostic: ShortText = ""
    failed_at: datetime

"""Messages owned by the tickets service: its intake and the facts it publishes."""

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from contracts.common import ActorKind, Channel, Email, Id, LongText, ShortText, TicketNumber
from contracts.envelope import Message
from contracts.registry import message_type


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
    department: ShortText | None = None
    status: TicketStatus
    opened_at: datetime


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


@message_type("tickets.TicketClosed", 1)
class TicketClosedV1(Message):
    """A ticket was finished ("Finalizado")."""

    ticket_id: Id
    number: TicketNumber
    customer_email: Email
    closed_by: ActorKind
    closed_at: datetime


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
    source_ref: ShortText | None = Field(default=None, description="E.g. the email's Message-ID.")
    received_at: datetime

"""Which ticket events email the customer and what each email is about (pure rules)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from contracts import Message
from contracts.common import ActorKind
from contracts.tickets import (
    TicketClosedV1,
    TicketOpenedV1,
    TicketRepliedV1,
    TicketStatus,
    TicketStatusChangedV1,
)
from notifier.domain.attachments import Attachment, Refusal, named, refusals

# The tickets service's reopen window (tickets.domain.ticket.REOPEN_DAYS); services share no code.
REOPEN_DAYS = 14
TICKET_EVENTS = (TicketOpenedV1, TicketStatusChangedV1, TicketRepliedV1, TicketClosedV1)
TicketEvent = TicketOpenedV1 | TicketStatusChangedV1 | TicketRepliedV1 | TicketClosedV1


class Kind(StrEnum):
    """The kinds of notification; each names its templates."""

    OPENED = "opened"
    STATUS_CHANGED = "status_changed"
    REPLIED = "replied"
    CLOSED = "closed"


@dataclass(frozen=True)
class KnownTicket:
    """What the notifier remembers of a ticket: later events do not repeat subject and name."""

    ticket_id: str
    number: int
    subject: str
    customer_email: str
    customer_name: str = ""


@dataclass(frozen=True)
class Notice:
    """One email to send: its kind, the ticket it is about and the values its templates show."""

    kind: Kind
    ticket: KnownTicket
    values: dict[str, str | int] = field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()  # an agent's files, listed with their links
    refused: tuple[Refusal, ...] = ()  # the customer's files we did not accept, and why
    rating_key: str | None = None  # a finished ticket's: its mail links to the rating page with it


def ticket_of(message: TicketEvent, known: KnownTicket | None) -> KnownTicket:
    """The ticket as far as we know it; an unknown ticket has no subject (its tag still threads)."""
    if isinstance(message, TicketOpenedV1):
        return KnownTicket(
            message.ticket_id,
            message.number,
            message.subject,
            message.customer_email,
            message.customer_name,
        )
    if known is not None:
        # The event's address is the current one; name and subject only the Opened event had.
        return KnownTicket(
            known.ticket_id, message.number, known.subject, message.customer_email, known.customer_name
        )
    return KnownTicket(message.ticket_id, message.number, "", message.customer_email)


def names_wanted(message: Message) -> list[str]:
    """The attachments whose names the mail for ``message`` shows (an agent's reply's files), if any."""
    if isinstance(message, TicketRepliedV1) and message.author_kind is ActorKind.AGENT:
        return list(message.attachment_ids)
    return []


def notice_for(
    message: Message,
    known: KnownTicket | None,
    language: str,
    names: Mapping[str, str] | None = None,
) -> Notice | None:
    """The email an event asks for, or None.

    ``names``: file names by attachment id, as the files service told them (None: it did not answer,
    and the files are listed as "anexo 1", "anexo 2"…, still with their links).

    A customer's or the system's own reply sends nothing; neither does the move to "Aguardando sua
    resposta", which only an agent's reply causes: one answer, one email, naming the new status.
    Nor does a status the customer moved themselves (their reply takes "Aguardando sua resposta" to
    "Em andamento", or reopens): it is not news to the person who just wrote.
    """
    if not isinstance(message, TICKET_EVENTS):
        return None  # other facts on the stream (later versions, new kinds) are not ours to mail
    if isinstance(message, TicketRepliedV1) and message.author_kind is not ActorKind.AGENT:
        return None
    ticket = ticket_of(message, known)
    if isinstance(message, TicketOpenedV1):
        refused = refusals(message.refused_attachments, language)
        return Notice(Kind.OPENED, ticket, _status(message.status, language), refused=refused)
    if isinstance(message, TicketStatusChangedV1):
        if message.status is TicketStatus.AWAITING_CUSTOMER:
            return None  # only an agent's reply leads there, and that reply's mail names the status
        if message.changed_by is ActorKind.CUSTOMER:
            return None
        values = _status(message.status, language)
        values["previous_status"] = message.previous_status.label(language)
        return Notice(Kind.STATUS_CHANGED, ticket, values)
    if isinstance(message, TicketRepliedV1):
        # author_name is an agent id: the customer reads "Equipe de suporte" instead (templates).
        values = _status(TicketStatus.AWAITING_CUSTOMER, language)
        values["body"] = message.body
        attachments = named(message.attachment_ids, names, language)
        return Notice(Kind.REPLIED, ticket, values, attachments=attachments)
    values = _status(TicketStatus.FINISHED, language)
    values["reopen_days"] = REOPEN_DAYS
    # A finish published before keys existed has none: its mail asks for no rating.
    return Notice(Kind.CLOSED, ticket, values, rating_key=message.rating_key)


def _status(status: TicketStatus, language: str) -> dict[str, str | int]:
    return {"status": status.label(language), "meaning": status.meaning(language)}

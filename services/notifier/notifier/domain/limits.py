"""When a mail the rules ask for is still not sent: a bounced address, or too many mails in an hour."""

from __future__ import annotations

from dataclasses import dataclass

from contracts import Message
from contracts.common import ActorKind, Channel
from contracts.tickets import TicketDeliveryFailedV1, TicketOpenedV1, TicketRepliedV1

ADDRESS_FLAGGED = "address_flagged"
TICKET_CAP = "ticket_cap"
ADDRESS_CAP = "address_cap"


@dataclass(frozen=True)
class Caps:
    """Mails per hour at most: per ticket and per address (a storm of events must not become one)."""

    per_ticket: int
    per_address: int


@dataclass(frozen=True)
class Recent:
    """Mails sent in the last hour about the ticket and to the address."""

    ticket: int
    address: int


def skip_reason(*, flagged: bool, recent: Recent, caps: Caps) -> str | None:
    """Why this ticket mail is skipped (recorded, never silent), or None to send it."""
    if flagged:
        return ADDRESS_FLAGGED  # it bounced: mail waits until the address writes to us again
    if recent.ticket >= caps.per_ticket:
        return TICKET_CAP
    if recent.address >= caps.per_address:
        return ADDRESS_CAP
    return None


def account_skip_reason(recent_to_address: int, cap: int) -> str | None:
    """Account mails have their own cap: resets and verifications must not flood an address either."""
    return ADDRESS_CAP if recent_to_address >= cap else None


def wrote_to_us(message: Message) -> str | None:
    """The address an event shows writing to us by email (proof its mailbox works), else None."""
    if isinstance(message, TicketOpenedV1) and message.channel is Channel.EMAIL:
        return message.customer_email
    if (
        isinstance(message, TicketRepliedV1)
        and message.author_kind is ActorKind.CUSTOMER
        and message.channel is Channel.EMAIL
    ):
        return message.customer_email
    return None


def bounced(message: TicketDeliveryFailedV1) -> str | None:
    """The address to flag: only the ticket's own customer (other recipients are not ours to stop)."""
    recipient = message.recipient.lower()
    return recipient if recipient == message.customer_email.lower() else None

"""Domain events of a Ticket → contract events on the wire (an internal note's words never leave)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any
from uuid import UUID

from contracts.subjects import (
    TICKET_ASSIGNED_V1,
    TICKET_CLOSED_V1,
    TICKET_DELIVERY_FAILED_V1,
    TICKET_NOTE_ADDED_V1,
    TICKET_OPENED_V1,
    TICKET_RATED_V1,
    TICKET_REPLIED_V1,
    TICKET_STATUS_CHANGED_V1,
)
from contracts.tickets import (
    RefusedAttachment,
    TicketAssignedV1,
    TicketClosedV1,
    TicketDeliveryFailedV1,
    TicketNoteAddedV1,
    TicketOpenedV1,
    TicketRatedV1,
    TicketRepliedV1,
    TicketStatus,
    TicketStatusChangedV1,
)
from plumbing.relay import Publication
from tickets.domain.status import Status
from tickets.domain.ticket import Ticket


class Translator:
    """Knows each ticket's number and customer, which later events need but do not repeat.

    They are remembered from Opened events as they pass (a bounded cache); after a restart a
    ticket's first later event loads the ticket once instead.
    """

    def __init__(self, load: Callable[[UUID], Ticket], remember: int = 10_000) -> None:
        self.load = load
        self.remember = remember
        self._known: OrderedDict[UUID, tuple[int, str]] = OrderedDict()

    def __call__(self, event: Any) -> Publication | None:
        if isinstance(event, Ticket.Opened):
            self._keep(event.originator_id, event.number, event.customer_email)
            return Publication(
                TICKET_OPENED_V1,
                TicketOpenedV1(
                    ticket_id=str(event.originator_id),
                    number=event.number,
                    channel=event.channel,
                    customer_email=event.customer_email,
                    customer_name=event.customer_name,
                    subject=event.subject,
                    body=event.body,
                    department=event.department,
                    status=TicketStatus.WAITING,
                    opened_at=event.opened_at,
                    refused_attachments=_refused(event.refused_attachments),
                ),
            )
        number, customer = self._ticket(event.originator_id)
        common = {"ticket_id": str(event.originator_id), "number": number, "customer_email": customer}
        if isinstance(event, Ticket.InternalNoteAdded):
            # That a note was added (consoles refresh, figures count), never what it says.
            noted = TicketNoteAddedV1(**common, author=event.agent, noted_at=event.at)
            return Publication(TICKET_NOTE_ADDED_V1, noted)
        if isinstance(event, Ticket.Assigned):
            assigned = TicketAssignedV1(
                **common, assignee=event.agent, assigned_by=event.by, assigned_at=event.at
            )
            return Publication(TICKET_ASSIGNED_V1, assigned)
        if isinstance(event, Ticket.StatusChanged):
            return _status_changed(common, Status(event.previous), Status(event.status), event)
        if isinstance(event, Ticket.Reopened):
            # To the customer a reopen is a status change: Finalizado → Em espera.
            return _status_changed(common, Status.FINISHED, Status.WAITING, event)
        if isinstance(event, Ticket.Replied):
            return Publication(
                TICKET_REPLIED_V1,
                TicketRepliedV1(
                    **common,
                    reply_id=event.reply_id,
                    author_kind=event.author_kind,
                    author_name=event.author,
                    body=event.body,
                    channel=event.channel,
                    attachment_ids=list(event.attachment_ids),
                    replied_at=event.at,
                    refused_attachments=_refused(event.refused_attachments),
                ),
            )
        if isinstance(event, Ticket.Closed):
            closed = TicketClosedV1(
                **common, closed_by=event.actor_kind, closed_at=event.at, rating_key=event.rating_key
            )
            return Publication(TICKET_CLOSED_V1, closed)
        if isinstance(event, Ticket.Rated):
            # The event names whom it credits (assignee, else the last agent who answered) as it was then.
            rated = TicketRatedV1(
                **common,
                department=event.department,
                agent_id=event.agent,
                score=event.score,
                comment=event.comment,
                rated_at=event.at,
            )
            return Publication(TICKET_RATED_V1, rated)
        if isinstance(event, Ticket.DeliveryFailed):
            # For the notifier, which stops mailing the address; never shown to the customer.
            failed = TicketDeliveryFailedV1(
                **common,
                recipient=event.recipient,
                status=event.status,
                diagnostic=event.diagnostic,
                failed_at=event.at,
            )
            return Publication(TICKET_DELIVERY_FAILED_V1, failed)
        return None

    def _ticket(self, ticket: UUID) -> tuple[int, str]:
        known = self._known.get(ticket)
        if known is None:
            loaded = self.load(ticket)
            known = self._keep(ticket, loaded.number, loaded.customer_email)
        return known

    def _keep(self, ticket: UUID, number: int, customer: str) -> tuple[int, str]:
        self._known[ticket] = (number, customer)
        self._known.move_to_end(ticket)
        while len(self._known) > self.remember:
            self._known.popitem(last=False)
        return number, customer


def _refused(pairs: Any) -> list[RefusedAttachment]:
    """The event's (filename, reason_code) pairs as the wire carries them."""
    return [RefusedAttachment(filename=filename, reason_code=code) for filename, code in pairs]


def _status_changed(common: dict[str, Any], previous: Status, status: Status, event: Any) -> Publication:
    return Publication(
        TICKET_STATUS_CHANGED_V1,
        TicketStatusChangedV1(
            **common,
            previous_status=TicketStatus(previous.value),
            status=TicketStatus(status.value),
            changed_by=event.actor_kind,
            changed_at=event.at,
        ),
    )

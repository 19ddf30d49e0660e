"""Mail intake on the service layer: why a reply was threaded, bounces on their ticket, the number race."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contracts.tickets import TicketBounceReceivedV1, TicketDeliveryFailedV1, TicketReplyReceivedV1
from tickets.application import Tickets
from tickets.domain.ticket import Ticket
from tickets.entrypoints.bounces import receive_bounce
from tickets.entrypoints.replies import ViewsBehind, find_ticket, receive_reply
from tickets.translate import Translator

NOW = datetime(2026, 11, 23, tzinfo=UTC)


def opened(app: Tickets) -> Ticket:
    return app.open(
        "email:<a@x>",
        channel="email",
        customer_email="maria@example.com",
        customer_name="Maria",
        subject="Boleto",
        body="Segunda via",
        department=None,
    )


def bounce(
    ticket: Ticket | None, recipient: str = "maria@example.com", **fields: object
) -> TicketBounceReceivedV1:
    values: dict[str, object] = {
        "request_id": "email:<bounce@mx>",
        "ticket_id": str(ticket.id) if ticket else None,
        "recipient": recipient,
        "status": "5.1.1",
        "diagnostic": "550 5.1.1 user unknown",
        "received_at": NOW,
    }
    return TicketBounceReceivedV1.model_validate(values | fields)


def events(app: Tickets, ticket: Ticket) -> list[object]:
    return list(app.repository.event_store.get(ticket.id))


def test_an_emailed_reply_keeps_what_threaded_it(app: Tickets) -> None:
    ticket = opened(app)
    reply = TicketReplyReceivedV1(
        request_id="email:<r@x>",
        ticket_id=str(ticket.id),
        threaded_by="references",
        customer_email="maria@example.com",
        body="Ainda não chegou.",
        received_at=NOW,
    )
    receive_reply(app, reply)
    [replied] = [e for e in events(app, ticket) if isinstance(e, Ticket.Replied)]
    assert replied.threaded_by == "references"


def test_a_bounce_is_noted_once_on_its_ticket_and_never_moves_the_status(app: Tickets) -> None:
    ticket = opened(app)
    receive_bounce(app, bounce(ticket))
    receive_bounce(app, bounce(ticket))  # a redelivery
    [failed] = [e for e in events(app, ticket) if isinstance(e, Ticket.DeliveryFailed)]
    assert (failed.recipient, failed.status, failed.diagnostic) == (
        "maria@example.com",
        "5.1.1",
        "550 5.1.1 user unknown",
    )
    after = app.get(ticket.id)
    assert (after.status, after.replies, after.version) == (ticket.status, 0, ticket.version + 1)


def test_a_bounce_of_an_unknown_ticket_is_dropped(app: Tickets) -> None:
    assert receive_bounce(app, bounce(None, ticket_id="0b9f3c1e-6a3e-5d2b-9b1e-0f6c2a7d8e90")) is None
    assert receive_bounce(app, bounce(None, number=1000)) is None  # no read model in memory: unknown


def test_the_relay_tells_the_notifier_about_the_bounce(app: Tickets) -> None:
    ticket = opened(app)
    receive_bounce(app, bounce(ticket))
    translate = Translator(app.get)
    failed = next(translate(e) for e in events(app, ticket) if isinstance(e, Ticket.DeliveryFailed))
    assert failed is not None and failed.subject == "atende.tickets.events.delivery-failed.v1"
    assert isinstance(failed.message, TicketDeliveryFailedV1)
    assert (failed.message.number, failed.message.customer_email, failed.message.recipient) == (
        ticket.number,
        "maria@example.com",
        "maria@example.com",
    )


def test_a_number_is_called_unknown_only_once_the_read_model_caught_up(app: Tickets) -> None:
    calls: list[str] = []

    def behind() -> bool:
        calls.append("catch up")
        return False

    with pytest.raises(ViewsBehind):
        find_ticket(app, None, 1000, behind)  # the consumer naks and tries again later
    assert calls == ["catch up"]
    assert find_ticket(app, None, 1000, lambda: True) is None  # caught up and still unknown: a new ticket

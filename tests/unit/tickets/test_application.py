"""The tickets service layer on in-memory persistence (a hand-written number source)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from support.fakes import Clock

from tickets.application import OpenRequest, StaleVersion, TicketNotFound, Tickets
from tickets.domain.status import Status
from tickets.domain.ticket import AGENT, CUSTOMER
from tickets.domain.transitions import IllegalTransition


def new(app: Tickets, request_id: str = "portal:1", **overrides: Any) -> Any:
    fields: dict[str, Any] = {
        "channel": "portal",
        "customer_email": "maria@example.com",
        "customer_name": "Maria",
        "subject": "Não consigo entrar",
        "body": "Olá",
        "department": "suporte",
    }
    return app.open(request_id, **(fields | overrides))


def test_opening_is_idempotent_and_numbers_are_unique(app: Tickets) -> None:
    first = new(app)
    again = new(app, subject="retried with other data")
    other = new(app, "portal:2")
    assert again.id == first.id
    assert again.number == first.number == 1000
    assert again.subject == "Não consigo entrar"
    assert other.number > first.number  # a retry may leave a gap, never a repeat


def request(request_id: str, subject: str = "Boleto") -> OpenRequest:
    return OpenRequest(request_id, "portal", "maria@example.com", "Maria", subject, "Olá", None)


def test_a_batch_opens_each_request_once_even_with_retries_inside_and_before(app: Tickets) -> None:
    before = app.open_many([request("a")])[0]
    batch = app.open_many([request("b"), request("a", "retry"), request("c"), request("b", "retry")])
    assert [t.id for t in batch] == [batch[0].id, before.id, batch[2].id, batch[0].id]
    assert batch[1].subject == "Boleto" and batch[3].subject == "Boleto", "the first request wins"
    assert len({before.number, batch[0].number, batch[2].number}) == 3
    assert app.recorder.max_notification_id() == 3, "one Opened event per ticket, no more"


def test_a_stale_version_is_refused_with_the_current_state(app: Tickets) -> None:
    ticket = new(app)
    seen = ticket.version
    app.start_work(ticket.id, seen, "ana")
    with pytest.raises(StaleVersion) as stale:
        app.assign(ticket.id, seen, agent="bruno", by="bruno")
    assert stale.value.current.status is Status.IN_PROGRESS
    assert stale.value.current.version == seen + 1
    assert app.get(ticket.id).assignee is None, "the loser changed nothing"


def test_illegal_transitions_change_nothing(app: Tickets) -> None:
    ticket = new(app)
    ticket = app.finish(ticket.id, ticket.version, actor_kind=AGENT, actor="ana")
    with pytest.raises(IllegalTransition):
        app.start_work(ticket.id, ticket.version, "ana")
    assert app.get(ticket.id).version == ticket.version


def test_a_late_customer_answer_is_refused_for_the_caller_to_open_a_linked_ticket(
    app: Tickets, clock: Clock
) -> None:
    from tickets.domain.ticket import ReopenWindowPassed

    ticket = new(app)
    app.finish(ticket.id, None, actor_kind=CUSTOMER, actor="maria@example.com")
    clock.now += timedelta(days=15)
    with pytest.raises(ReopenWindowPassed):
        app.reply(
            ticket.id,
            None,
            reply_id="m1",
            author_kind=CUSTOMER,
            author="maria@example.com",
            body="oi",
            channel="email",
        )
    follow_up = new(app, "email:<m1@example.com>", reopens=ticket.number)
    assert follow_up.reopens == ticket.number
    assert follow_up.number != ticket.number


def test_unknown_tickets_are_not_found(app: Tickets) -> None:
    from uuid import uuid4

    with pytest.raises(TicketNotFound):
        app.get(uuid4())


def test_long_tickets_are_snapshotted(app: Tickets) -> None:
    ticket = new(app)
    for index in range(60):
        ticket = app.add_note(ticket.id, ticket.version, note_id=f"n{index}", agent="ana", body="…")
    assert app.snapshots is not None
    snapshots = list(app.snapshots.get(ticket.id))
    assert [snapshot.originator_version for snapshot in snapshots] == [50]
    assert app.get(ticket.id).version == 61

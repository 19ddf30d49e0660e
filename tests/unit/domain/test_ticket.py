"""The Ticket aggregate: what each command records and refuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tickets.domain.status import Status
from tickets.domain.ticket import AGENT, CUSTOMER, ReopenWindowPassed, Ticket, ticket_id
from tickets.domain.transitions import IllegalTransition

T0 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def opened(request_id: str = "portal:abc") -> Ticket:
    return Ticket(
        request_id=request_id,
        number=1042,
        channel="portal",
        customer_email="maria@example.com",
        customer_name="Maria",
        subject="Não consigo entrar",
        body="Olá",
        department="suporte",
        attachment_ids=[],
        opened_at=T0,
    )


def names(ticket: Ticket) -> list[str]:
    return [type(event).__name__ for event in ticket.collect_events()]


def test_a_new_ticket_waits_and_its_id_derives_from_the_request() -> None:
    ticket = opened()
    assert ticket.status is Status.WAITING
    assert ticket.id == ticket_id("portal:abc") == opened().id
    assert ticket.id != opened("portal:other").id
    assert names(ticket) == ["Opened"]


def test_the_guides_whole_life_of_a_request() -> None:
    ticket = opened()
    ticket.collect_events()
    ticket.start_work("ana", T0 + timedelta(minutes=5))
    assert ticket.status is Status.IN_PROGRESS
    ticket.reply("r1", AGENT, "ana", "Tente de novo", "portal", [], T0 + timedelta(minutes=10))
    assert ticket.status is Status.AWAITING_CUSTOMER
    ticket.reply("r2", CUSTOMER, "maria@example.com", "Não deu", "email", [], T0 + timedelta(hours=1))
    assert ticket.status is Status.IN_PROGRESS
    ticket.add_note("n1", "ana", "Ver com o financeiro", T0 + timedelta(hours=2))
    assert ticket.status is Status.IN_PROGRESS
    ticket.assign("bruno", "ana", T0 + timedelta(hours=2))
    ticket.finish(CUSTOMER, "maria@example.com", T0 + timedelta(days=1))
    assert ticket.status is Status.FINISHED
    assert names(ticket) == [
        "StatusChanged",
        "Replied",
        "StatusChanged",
        "Replied",
        "StatusChanged",
        "InternalNoteAdded",
        "Assigned",
        "Closed",
    ]
    assert ticket.replies == 2
    assert ticket.assignee == "bruno"
    assert ticket.last_activity_at == T0 + timedelta(days=1)


def test_a_customer_reply_within_the_window_reopens_later_it_is_refused() -> None:
    ticket = opened()
    ticket.finish(AGENT, "ana", T0)
    ticket.collect_events()
    ticket.reply("r1", CUSTOMER, "maria@example.com", "Voltou", "email", [], T0 + timedelta(days=14))
    assert ticket.status is Status.WAITING
    assert names(ticket) == ["Reopened", "Replied"]

    late = opened("portal:late")
    late.finish(AGENT, "ana", T0)
    late.collect_events()
    with pytest.raises(ReopenWindowPassed):
        late.reply(
            "r1", CUSTOMER, "maria@example.com", "Voltou", "email", [], T0 + timedelta(days=14, seconds=1)
        )
    assert late.collect_events() == [], "nothing is half-recorded"
    assert late.status is Status.FINISHED


def test_illegal_moves_record_nothing() -> None:
    ticket = opened()
    ticket.start_work("ana", T0)
    ticket.collect_events()
    with pytest.raises(IllegalTransition):
        ticket.start_work("bruno", T0)
    ticket.finish(AGENT, "ana", T0)
    ticket.collect_events()
    for refused in (
        lambda: ticket.reply("r", AGENT, "ana", "oi", "portal", [], T0),
        lambda: ticket.finish(AGENT, "ana", T0),
        lambda: ticket.start_work("ana", T0),
    ):
        with pytest.raises(IllegalTransition):
            refused()
    assert ticket.collect_events() == []


def test_assigning_the_same_agent_twice_records_once() -> None:
    ticket = opened()
    ticket.collect_events()
    ticket.assign("ana", "ana", T0)
    ticket.assign("ana", "ana", T0)
    assert names(ticket) == ["Assigned"]

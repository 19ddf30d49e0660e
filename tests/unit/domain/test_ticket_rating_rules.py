"""A customer's rating of a ticket: only when finished, only by its customer or the link's key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tickets.domain.rating import LINK, SIGNED_IN, NotRatable, NotTheirs
from tickets.domain.ticket import AGENT, CUSTOMER, Ticket

T0 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
KEY = "k3y-from-the-mail"


def finished(key: str | None = KEY) -> Ticket:
    ticket = Ticket(
        request_id="portal:abc",
        number=1042,
        channel="portal",
        customer_email="maria@example.com",
        customer_name="Maria",
        subject="Boleto",
        body="Olá",
        department="Financeiro",
        attachment_ids=[],
        opened_at=T0,
    )
    ticket.reply("r1", AGENT, "ana", "Segue a segunda via", "portal", [], T0 + timedelta(minutes=5))
    ticket.finish(AGENT, "ana", T0 + timedelta(hours=1), key)
    ticket.collect_events()
    return ticket


def rated(ticket: Ticket) -> list[Ticket.Rated]:
    return [event for event in ticket.collect_events() if isinstance(event, Ticket.Rated)]


def test_the_first_finish_mints_the_key_and_a_later_finish_keeps_it() -> None:
    ticket = finished()
    assert ticket.rating_key == KEY
    ticket.reopen(AGENT, "ana", T0 + timedelta(days=1))
    ticket.finish(AGENT, "ana", T0 + timedelta(days=2), "another-fresh-key")
    [closed] = [e for e in ticket.collect_events() if isinstance(e, Ticket.Closed)]
    assert ticket.rating_key == KEY and closed.rating_key == KEY


def test_the_signed_in_customer_rates_and_the_rating_credits_the_last_agent_who_answered() -> None:
    ticket = finished()
    ticket.rate(4, "  Resolveu rápido ", T0 + timedelta(hours=2), customer_email="Maria@Example.com")
    [event] = rated(ticket)
    assert (event.score, event.comment, event.proof, event.by) == (
        4,
        "Resolveu rápido",
        SIGNED_IN,
        "maria@example.com",
    )
    assert (event.agent, event.department) == ("ana", "Financeiro")
    assert ticket.rating == (4, "Resolveu rápido", T0 + timedelta(hours=2))


def test_the_assignee_is_credited_before_whoever_answered() -> None:
    ticket = finished()
    ticket.assign("bruno", "ana", T0 + timedelta(hours=2))
    ticket.rate(5, "", T0 + timedelta(hours=3), rating_key=KEY)
    [event] = rated(ticket)
    assert (event.agent, event.proof) == ("bruno", LINK)


def test_nobody_is_credited_when_no_agent_answered_or_was_assigned() -> None:
    ticket = Ticket(
        request_id="portal:x",
        number=7,
        channel="portal",
        customer_email="maria@example.com",
        customer_name="",
        subject="s",
        body="b",
        department=None,
        attachment_ids=[],
        opened_at=T0,
    )
    ticket.finish(CUSTOMER, "maria@example.com", T0, KEY)
    ticket.rate(3, "", T0, rating_key=KEY)
    assert rated(ticket)[0].agent is None


@pytest.mark.parametrize(
    "proof",
    [
        {"customer_email": "joao@example.com"},
        {"rating_key": "wrong-key"},
        {"rating_key": "ção-não-ascii"},
        {},
    ],
)
def test_anyone_else_is_refused_as_if_the_ticket_did_not_exist(proof: dict[str, str]) -> None:
    ticket = finished()
    with pytest.raises(NotTheirs):
        ticket.rate(5, "", T0, **proof)
    assert rated(ticket) == [] and ticket.rating is None


def test_a_ticket_finished_before_keys_existed_has_no_key_that_matches() -> None:
    ticket = finished(key=None)
    with pytest.raises(NotTheirs):
        ticket.rate(5, "", T0, rating_key="")
    ticket.rate(5, "", T0, customer_email="maria@example.com")  # the signed-in customer still may
    assert len(rated(ticket)) == 1


def test_only_a_finished_ticket_can_be_rated_and_strangers_learn_not_even_that() -> None:
    ticket = finished()
    ticket.reopen(AGENT, "ana", T0 + timedelta(days=1))
    with pytest.raises(NotRatable):
        ticket.rate(4, "", T0, rating_key=KEY)
    with pytest.raises(NotTheirs):  # the proof is checked first: a stranger gets "not found", not 409
        ticket.rate(4, "", T0, rating_key="wrong")


@pytest.mark.parametrize("score", [0, 6, -1])
def test_a_score_is_one_to_five(score: int) -> None:
    ticket = finished()
    with pytest.raises(ValueError, match="1 to 5"):
        ticket.rate(score, "", T0, rating_key=KEY)


def test_rating_again_replaces_and_the_same_rating_again_records_nothing() -> None:
    ticket = finished()
    ticket.rate(4, "Bom", T0 + timedelta(hours=2), rating_key=KEY)
    ticket.rate(4, "Bom ", T0 + timedelta(hours=3), customer_email="maria@example.com")  # a retry
    assert len(rated(ticket)) == 1
    ticket.rate(2, "Pensando bem, demorou", T0 + timedelta(hours=4), rating_key=KEY)
    [replaced] = rated(ticket)
    assert ticket.rating == (2, "Pensando bem, demorou", T0 + timedelta(hours=4))
    assert replaced.score == 2
    ticket.rate(2, "", T0 + timedelta(hours=5), rating_key=KEY)  # same score, comment cleared: news
    assert len(rated(ticket)) == 1 and ticket.rating is not None and ticket.rating[1] == ""

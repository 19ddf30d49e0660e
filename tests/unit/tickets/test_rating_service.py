"""Ratings in the tickets service layer: the minted key, the RateTicket handler, the facts, old events."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from support.fakes import Clock

from contracts import Envelope
from contracts.common import ActorKind
from contracts.ticket_commands import RateTicketV1, TicketV1
from contracts.tickets import TicketClosedV1, TicketRatedV1
from plumbing.errors import Conflict, NotFound
from tickets.application import Tickets
from tickets.domain.ticket import AGENT, Ticket
from tickets.entrypoints.commands import Commands
from tickets.translate import Translator


def opened(app: Tickets, request_id: str = "portal:1") -> Ticket:
    return app.open(
        request_id,
        channel="portal",
        customer_email="maria@example.com",
        customer_name="Maria",
        subject="Boleto",
        body="Olá",
        department="Financeiro",
    )


def finished(app: Tickets) -> Ticket:
    ticket = opened(app)
    app.reply(
        ticket.id, None, reply_id="a1", author_kind=AGENT, author="ana", body="Pronto", channel="portal"
    )
    return app.finish(ticket.id, None, actor_kind=AGENT, actor="ana")


def stored(app: Tickets, ticket: Ticket) -> list[Any]:
    return list(app.repository.event_store.get(ticket.id))


def rate(ticket: Ticket, score: int = 4, comment: str = "", **proof: str) -> RateTicketV1:
    return RateTicketV1(ticket_id=str(ticket.id), score=score, comment=comment, **proof)


def test_finishing_mints_an_unguessable_key_once(app: Tickets) -> None:
    ticket = finished(app)
    key = ticket.rating_key
    assert key is not None and len(key) >= 32
    app.reopen(ticket.id, ticket.version, actor_kind=AGENT, actor="ana")
    again = app.finish(ticket.id, None, actor_kind=AGENT, actor="ana")
    assert again.rating_key == key
    other = app.finish(opened(app, "portal:2").id, None, actor_kind=AGENT, actor="ana")
    assert other.rating_key not in (None, key)


async def test_the_handler_rates_answers_the_rating_and_a_retry_adds_nothing(app: Tickets) -> None:
    nudges: list[None] = []
    commands = Commands(app, lambda: nudges.append(None))
    ticket = finished(app)
    command = rate(ticket, 4, "Muito atencioso", rating_key=ticket.rating_key or "")
    answer = await commands.rate(command, Envelope.wrap(command))
    assert isinstance(answer, TicketV1) and answer.rating is not None
    assert (answer.rating.score, answer.rating.comment) == (4, "Muito atencioso")
    again = await commands.rate(command, Envelope.wrap(command))
    assert isinstance(again, TicketV1) and again.version == answer.version
    assert sum(isinstance(e, Ticket.Rated) for e in stored(app, ticket)) == 1
    assert len(nudges) == 1, "only the save that recorded something wakes the relay"
    signed_in = rate(ticket, 5, customer_email="maria@example.com")
    replaced = await commands.rate(signed_in, Envelope.wrap(signed_in))
    assert isinstance(replaced, TicketV1) and replaced.rating is not None and replaced.rating.score == 5


@pytest.mark.parametrize("proof", [{"rating_key": "not-the-key"}, {"customer_email": "joao@example.com"}, {}])
async def test_the_handler_answers_not_found_to_anyone_else(app: Tickets, proof: dict[str, str]) -> None:
    commands = Commands(app, lambda: None)
    command = rate(finished(app), **proof)
    with pytest.raises(NotFound) as refused:
        await commands.rate(command, Envelope.wrap(command))
    assert refused.value.reason == "ticket_not_found"


async def test_the_handler_refuses_a_ticket_that_is_not_finished_with_409(app: Tickets) -> None:
    commands = Commands(app, lambda: None)
    command = rate(opened(app), customer_email="maria@example.com")
    with pytest.raises(Conflict) as refused:
        await commands.rate(command, Envelope.wrap(command))
    assert refused.value.reason == "ticket_not_finished"
    unknown = RateTicketV1(ticket_id="not-a-uuid", score=3, customer_email="maria@example.com")
    with pytest.raises(NotFound):
        await commands.rate(unknown, Envelope.wrap(unknown))


def test_the_relay_publishes_the_key_with_the_finish_and_the_rating_as_a_fact(
    app: Tickets, clock: Clock
) -> None:
    ticket = finished(app)
    app.rate(ticket.id, score=2, comment="Demorou", rating_key=ticket.rating_key)
    translate = Translator(app.get)
    published = [p for p in map(translate, stored(app, ticket)) if p is not None]
    [closed] = [p.message for p in published if isinstance(p.message, TicketClosedV1)]
    assert closed.rating_key == ticket.rating_key and closed.closed_by is ActorKind.AGENT
    [fact] = [p for p in published if isinstance(p.message, TicketRatedV1)]
    assert fact.subject == "atende.tickets.events.rated.v1"
    assert fact.message == TicketRatedV1(
        ticket_id=str(ticket.id),
        number=ticket.number,
        customer_email="maria@example.com",
        department="Financeiro",
        agent_id="ana",
        score=2,
        comment="Demorou",
        rated_at=clock.now,
    )


def _as_version_1(app: Tickets, event: Any) -> Any:
    """The event as version 1 of its class wrote it (no rating key), read back through the upcasters."""
    record = app.mapper.to_stored_event(event)
    state = json.loads(record.state)
    del state["rating_key"]
    state.pop("class_version", None)
    return app.mapper.to_domain_event(replace(record, state=json.dumps(state).encode()))


def test_a_finish_stored_before_keys_existed_reads_with_none_and_publishes_no_key(app: Tickets) -> None:
    ticket = finished(app)
    [closed] = [e for e in stored(app, ticket) if isinstance(e, Ticket.Closed)]
    old = _as_version_1(app, closed)
    assert old.rating_key is None and (old.actor_kind, old.actor, old.at) == ("agent", "ana", closed.at)
    assert Translator(app.get)(old).message.rating_key is None  # type: ignore[union-attr]
    # The whole ticket rebuilt from the old events: finished, no key, rateable only when signed in.
    events = [_as_version_1(app, e) if isinstance(e, Ticket.Closed) else e for e in stored(app, ticket)]
    rebuilt: Any = None
    for event in events:
        rebuilt = event.mutate(rebuilt)
    assert rebuilt.status.value == "finished" and rebuilt.rating_key is None and rebuilt.rating is None


def test_a_snapshot_keeps_the_rating_and_an_old_snapshot_upcasts(app: Tickets, clock: Clock) -> None:
    ticket = finished(app)
    app.rate(ticket.id, score=5, comment="Ótimo", customer_email="maria@example.com")
    app.take_snapshot(ticket.id)
    assert app.snapshots is not None
    [snapshot] = list(app.snapshots.get(ticket.id))
    restored = snapshot.mutate(None)
    assert tuple(restored.rating) == (5, "Ótimo", clock.now)
    assert restored.rating_key == ticket.rating_key and restored.last_agent == "ana"
    # As version 1 of Ticket took it: none of the rating's attributes.
    record = app.mapper.to_stored_event(snapshot)
    state = json.loads(record.state)
    for name in ("rating_key", "rating", "last_agent", "class_version"):
        state["state"].pop(name, None)
    old = app.mapper.to_domain_event(replace(record, state=json.dumps(state).encode())).mutate(None)
    assert (old.rating_key, old.rating, old.last_agent) == (None, None, None)
    assert old.number == ticket.number and old.status == "finished"
    # Restored from a snapshot, the ticket is still rateable (and the rating replaces the old one).
    old.rate(3, "", clock.now, customer_email="maria@example.com")
    assert tuple(old.rating) == (3, "", clock.now)
    # And a customer's answer still reopens it (the snapshot's status is a plain str).
    old.reply("r9", "customer", "maria@example.com", "Voltou", "portal", [], clock.now)
    assert old.status == "waiting"

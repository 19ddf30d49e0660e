"""The tickets request-reply handlers on the in-memory service layer (no NATS needed)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from support.fakes import Clock

from contracts import Envelope
from contracts.common import ActorKind
from contracts.ticket_commands import FinishTicketV1, OpenTicketV1, ReplyToTicketV1, TicketV1
from tickets.application import Tickets
from tickets.entrypoints.commands import Commands


async def test_a_late_customer_answer_opens_a_new_ticket_linked_to_the_old(
    app: Tickets, clock: Clock
) -> None:
    nudges: list[None] = []
    commands = Commands(app, lambda: nudges.append(None))
    opening = OpenTicketV1(request_id="p-1", customer_email="maria@example.com", subject="Senha", body="Olá")
    ticket = await commands.open(opening, Envelope.wrap(opening))
    assert isinstance(ticket, TicketV1)
    finish = FinishTicketV1(
        ticket_id=ticket.ticket_id, actor_kind=ActorKind.CUSTOMER, actor="maria@example.com"
    )
    handle_finish = commands._change(commands._finish)
    await handle_finish(finish, Envelope.wrap(finish))

    clock.now += timedelta(days=30)
    answer = ReplyToTicketV1(
        ticket_id=ticket.ticket_id,
        actor_kind=ActorKind.CUSTOMER,
        actor="maria@example.com",
        reply_id="r9",
        body="Voltou",
    )
    follow_up = await commands._change(commands._reply)(answer, Envelope.wrap(answer))
    assert isinstance(follow_up, TicketV1)
    assert follow_up.ticket_id != ticket.ticket_id
    assert follow_up.reopens == ticket.number
    assert follow_up.status.value == "waiting"
    assert (follow_up.subject, follow_up.customer_email) == ("Senha", "maria@example.com")
    assert len(nudges) == 3, "the relay is woken after every change"


async def test_a_retried_reply_is_added_once_reading_only_the_events_after_its_version(app: Tickets) -> None:
    commands = Commands(app, lambda: None)
    opening = OpenTicketV1(request_id="p-2", customer_email="maria@example.com", subject="Boleto", body="Olá")
    ticket = await commands.open(opening, Envelope.wrap(opening))
    assert isinstance(ticket, TicketV1)
    for n in range(5):  # a longer ticket: notes before the reply
        app.add_note(UUID(ticket.ticket_id), None, note_id=f"n{n}", agent="ana", body="nota")
    version = app.get(UUID(ticket.ticket_id)).version
    reply = ReplyToTicketV1(
        ticket_id=ticket.ticket_id,
        actor_kind=ActorKind.AGENT,
        actor="ana",
        reply_id="r1",
        body="Segue o boleto",
        expected_version=version,
    )
    handle = commands._change(commands._reply)
    first = await handle(reply, Envelope.wrap(reply))
    scans: list[int | None] = []
    store = app.repository.event_store
    get = store.get

    def counted(*args: Any, **kwargs: Any) -> Any:
        scans.append(kwargs.get("gt"))
        return get(*args, **kwargs)

    store.get = counted  # type: ignore[method-assign]
    again = await handle(reply, Envelope.wrap(reply))  # the same Idempotency-Key: a retry
    assert isinstance(first, TicketV1) and isinstance(again, TicketV1)
    assert again.version == first.version, "added once"
    assert scans[0] == version, "the search for the reply read only the events saved after its version"

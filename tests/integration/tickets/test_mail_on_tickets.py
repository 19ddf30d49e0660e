"""The tickets service and mail: bounces noted for agents, why a reply was threaded, the [#n] race."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from support.waiting import eventually

from contracts import Envelope
from contracts.subjects import (
    GET_TICKET_HISTORY_V1,
    TICKET_BOUNCE_RECEIVED_V1,
    TICKET_DELIVERY_FAILED_V1,
    TICKET_REPLY_RECEIVED_V1,
    TICKETS,
)
from contracts.ticket_queries import GetTicketHistoryV1, TicketHistoryV1
from contracts.tickets import TicketBounceReceivedV1, TicketReplyReceivedV1
from plumbing.bus import Bus
from tickets.bootstrap import bootstrap
from tickets.config import Settings
from tickets.domain.ticket import Ticket, ticket_id
from tickets.store import open_tickets

NOW = datetime.now(UTC)


def bounce(
    request_id: str, recipient: str, *, ticket: str | None = None, number: int | None = None
) -> TicketBounceReceivedV1:
    return TicketBounceReceivedV1(
        request_id=request_id,
        ticket_id=ticket,
        number=number,
        recipient=recipient,
        status="5.1.1",
        diagnostic="550 5.1.1 user unknown",
        received_at=NOW,
    )


async def facts(bus: Bus, subject: str, ticket: str) -> list[Envelope]:
    info = await bus.js.stream_info(TICKETS.name)
    found = []
    for seq in range(info.state.first_seq, info.state.last_seq + 1) if info.state.messages else ():
        raw = await bus.js.get_msg(TICKETS.name, seq)
        if raw.subject == subject and raw.data is not None and ticket.encode() in raw.data:
            found.append(Envelope.from_bytes(raw.data))
    return found


async def test_a_tagged_reply_right_after_the_open_a_bounce_and_the_history_agents_see(
    bus: Bus, nats_url: str, postgres_url: str
) -> None:
    settings = Settings(nats_url=nats_url, postgres_url=postgres_url, ops_port=None)
    token = uuid.uuid4().hex
    async with bootstrap(settings) as runtime, open_tickets(postgres_url) as side:
        runtime.health.started = True
        # Opened beside the service: its read model learns of it only at its next poll.
        ticket = side.open(
            f"email:<o-{token}@example.com>",
            channel="email",
            customer_email="maria@example.com",
            customer_name="Maria",
            subject="Boleto",
            body="Segunda via",
            department=None,
        )
        tagged = TicketReplyReceivedV1(
            request_id=f"email:<t-{token}@example.com>",
            number=ticket.number,
            threaded_by="subject-tag",
            customer_email="maria@example.com",
            subject=f"Re: [#{ticket.number}] Boleto",
            body="Ainda não chegou.",
            received_at=NOW,
        )
        await bus.publish(TICKET_REPLY_RECEIVED_V1, tagged)
        # A [#n] guess must name the failed address's own ticket: this one is refused.
        stranger = bounce(f"email:<s-{token}@mx>", "other@example.com", number=ticket.number)
        await bus.publish(TICKET_BOUNCE_RECEIVED_V1, stranger)
        ours = bounce(f"email:<b-{token}@mx>", "maria@example.com", ticket=str(ticket.id))
        await bus.publish(TICKET_BOUNCE_RECEIVED_V1, ours, message_id=f"b1:{token}")
        await bus.publish(TICKET_BOUNCE_RECEIVED_V1, ours, message_id=f"b2:{token}")  # as after a crash

        def settled() -> bool:
            kinds = [type(event) for event in side.repository.event_store.get(ticket.id)]
            return kinds.count(Ticket.Replied) == 1 and kinds.count(Ticket.DeliveryFailed) == 1

        await eventually(settled, what="the tagged reply and one bounce on the ticket")
        assert side._find(ticket_id(tagged.request_id)) is None, (
            "the tagged reply opened no ticket of its own"
        )

        async def history(internal: bool) -> TicketHistoryV1:
            query = GetTicketHistoryV1(ticket_id=str(ticket.id), include_internal=internal)
            return await bus.request(GET_TICKET_HISTORY_V1, query, TicketHistoryV1)

        async def shown() -> bool:
            return len((await history(True)).entries) == 3

        await eventually(shown, what="the read model")
        staff = await history(True)
        assert [entry.kind for entry in staff.entries] == ["opened", "replied", "delivery_failed"]
        failed = next(entry for entry in staff.entries if entry.kind == "delivery_failed")
        assert failed.internal and failed.actor_kind.value == "system"
        assert (
            failed.body == "email to maria@example.com could not be delivered: 5.1.1 550 5.1.1 user unknown"
        )
        reply = next(entry for entry in staff.entries if entry.kind == "replied")
        assert reply.threaded_by == "subject-tag"

        customer = await history(False)
        assert "delivery_failed" not in [entry.kind for entry in customer.entries]
        assert all(entry.threaded_by is None for entry in customer.entries)

        async def published() -> bool:
            return len(await facts(bus, TICKET_DELIVERY_FAILED_V1, str(ticket.id))) == 1

        await eventually(published, what="the fact for the notifier")
        [fact] = await facts(bus, TICKET_DELIVERY_FAILED_V1, str(ticket.id))
        assert (fact.data["recipient"], fact.data["customer_email"], fact.data["number"]) == (
            "maria@example.com",
            "maria@example.com",
            ticket.number,
        )

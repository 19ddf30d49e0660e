"""The tickets service takes email replies from the intake stream: onto the customer's ticket, or a new one."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from uuid import UUID

from support.waiting import eventually

from contracts.subjects import TICKET_REPLY_RECEIVED_V1
from contracts.tickets import TicketReplyReceivedV1
from plumbing.bus import Bus
from tickets.bootstrap import bootstrap
from tickets.config import Settings
from tickets.domain.ticket import Ticket, ticket_id
from tickets.store import open_tickets


def reply(
    request_id: str, ticket: str | None, sender: str, number: int | None = None
) -> TicketReplyReceivedV1:
    return TicketReplyReceivedV1(
        request_id=request_id,
        ticket_id=ticket,
        number=number,
        threaded_by="references" if ticket else "subject-tag",
        customer_email=sender,
        subject="Re: [#1] Boleto",
        body="Ainda não chegou.",
        received_at=datetime.now(UTC),
    )


async def test_email_replies_land_on_the_customers_ticket_once_and_strangers_open_a_new_one(
    bus: Bus, nats_url: str, postgres_url: str
) -> None:
    settings = Settings(nats_url=nats_url, postgres_url=postgres_url, ops_port=None)
    token = uuid.uuid4().hex
    async with bootstrap(settings) as runtime, open_tickets(postgres_url) as side:
        runtime.health.started = True
        ticket = side.open(
            f"portal:{token}",
            channel="portal",
            customer_email="maria@example.com",
            customer_name="Maria",
            subject="Boleto",
            body="Segunda via",
            department=None,
        )
        ticket = side.reply(
            ticket.id,
            ticket.version,
            reply_id="a1",
            author_kind="agent",
            author="ana",
            body="Segue",
            channel="portal",
        )
        assert ticket.status.value == "awaiting_customer"

        # The same email twice (a republish after a crash): one reply.
        mine = reply(f"email:<r-{token}@example.com>", str(ticket.id), "Maria@Example.com")
        await bus.publish(TICKET_REPLY_RECEIVED_V1, mine, message_id=f"a:{token}")
        await bus.publish(TICKET_REPLY_RECEIVED_V1, mine, message_id=f"b:{token}")
        stranger = reply(f"email:<s-{token}@example.com>", str(ticket.id), "intruso@example.com")
        await bus.publish(TICKET_REPLY_RECEIVED_V1, stranger)
        by_number = reply(f"email:<n-{token}@example.com>", None, "maria@example.com", number=ticket.number)

        def replied() -> bool:
            return side.get(ticket.id).replies == 2

        await eventually(replied, what="the customer's reply on the ticket")
        await eventually(lambda: side._find(ticket_id(stranger.request_id)) is not None, what="a new ticket")

        # A [#n] tag finds the ticket through the read model (once the view has it).
        await bus.publish(TICKET_REPLY_RECEIVED_V1, by_number)
        await eventually(lambda: side.get(ticket.id).replies == 3, what="the reply found by number")
        await bus.publish(TICKET_REPLY_RECEIVED_V1, mine, message_id=f"c:{token}")
        await bus.publish(
            TICKET_REPLY_RECEIVED_V1, reply(f"email:<z-{token}@x>", str(ticket.id), "maria@example.com")
        )
        await eventually(lambda: side.get(ticket.id).replies == 4, what="a later reply")

        current = side.get(ticket.id)
        assert current.status.value == "in_progress", "a customer's reply to 'awaiting' moves it on"
        assert current.replies == 4, "the repeated email added nothing"
        assert side.has_reply(ticket.id, mine.request_id)
        other = side.get(ticket_id(stranger.request_id))
        assert (other.customer_email, other.channel) == ("intruso@example.com", "email")
        assert isinstance(other, Ticket) and other.id != UUID(str(ticket.id))

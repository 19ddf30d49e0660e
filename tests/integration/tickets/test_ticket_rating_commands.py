"""Rating a ticket over real NATS: the finish's key, RateTicket, the TicketRated fact, the history."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from nats.aio.msg import Msg
from support.waiting import eventually

from contracts import Envelope
from contracts.common import ActorKind
from contracts.subjects import (
    FINISH_TICKET_V1,
    GET_TICKET_HISTORY_V1,
    GET_TICKET_V1,
    OPEN_TICKET_V1,
    RATE_TICKET_V1,
    REPLY_TO_TICKET_V1,
    TICKETS,
)
from contracts.ticket_commands import (
    FinishTicketV1,
    GetTicketV1,
    OpenTicketV1,
    RateTicketV1,
    ReplyToTicketV1,
    TicketV1,
)
from contracts.ticket_queries import GetTicketHistoryV1, TicketHistoryV1
from plumbing.bus import Bus, RemoteError
from tickets.bootstrap import bootstrap
from tickets.config import Settings


@pytest.fixture
async def service(nats_url: str, postgres_url: str) -> AsyncIterator[None]:
    async with bootstrap(Settings(nats_url=nats_url, postgres_url=postgres_url, ops_port=None)) as runtime:
        runtime.health.started = True
        yield


@pytest.fixture
async def facts(bus: Bus) -> AsyncIterator[list[tuple[str, Envelope]]]:
    """Every fact the relay publishes while the test runs (a core subscription sees JetStream's)."""
    seen: list[tuple[str, Envelope]] = []

    async def keep(message: Msg) -> None:
        seen.append((message.subject, Envelope.from_bytes(message.data)))

    subscription = await bus.nc.subscribe(TICKETS.subjects[0], cb=keep)
    yield seen
    await subscription.unsubscribe()


async def opened(bus: Bus, customer: str) -> TicketV1:
    command = OpenTicketV1(
        request_id=f"rating-{uuid.uuid4()}", customer_email=customer, subject="Boleto", body="Olá"
    )
    return await bus.request(OPEN_TICKET_V1, command, TicketV1)


async def test_a_finished_ticket_is_rated_once_per_rating_and_the_fact_goes_out(
    service: None, bus: Bus, facts: list[tuple[str, Envelope]]
) -> None:
    customer = f"maria-{uuid.uuid4().hex[:8]}@example.com"
    ticket = await opened(bus, customer)
    id_ = ticket.ticket_id
    reply = ReplyToTicketV1(
        ticket_id=id_, actor_kind=ActorKind.AGENT, actor="ana", reply_id="r1", body="Pronto"
    )
    await bus.request(REPLY_TO_TICKET_V1, reply, TicketV1)
    early = RateTicketV1(ticket_id=id_, customer_email=customer, score=5)
    with pytest.raises(RemoteError) as not_yet:
        await bus.request(RATE_TICKET_V1, early, TicketV1)
    assert (not_yet.value.code, not_yet.value.reason) == ("409", "ticket_not_finished")

    finish = FinishTicketV1(ticket_id=id_, actor_kind=ActorKind.AGENT, actor="ana")
    await bus.request(FINISH_TICKET_V1, finish, TicketV1)

    def mine(kind: str) -> list[Envelope]:
        return [e for s, e in facts if s == f"atende.tickets.events.{kind}.v1" and e.data["ticket_id"] == id_]

    await eventually(lambda: bool(mine("closed")), what="TicketClosedV1 with the rating key")
    key = mine("closed")[0].data["rating_key"]
    assert isinstance(key, str) and len(key) >= 32

    for wrong in (
        RateTicketV1(ticket_id=id_, rating_key="x" + key, score=1),
        RateTicketV1(ticket_id=id_, customer_email="joao@example.com", score=1),
    ):
        with pytest.raises(RemoteError) as refused:
            await bus.request(RATE_TICKET_V1, wrong, TicketV1)
        assert (refused.value.code, refused.value.reason) == ("404", "ticket_not_found")

    command = RateTicketV1(ticket_id=id_, rating_key=key, score=4, comment="Rápido e gentil")
    rated = await bus.request(RATE_TICKET_V1, command, TicketV1)
    retried = await bus.request(RATE_TICKET_V1, command, TicketV1)  # a redelivered request
    assert rated.rating is not None and (rated.rating.score, rated.rating.comment) == (4, "Rápido e gentil")
    assert retried == rated
    assert (await bus.request(GET_TICKET_V1, GetTicketV1(ticket_id=id_), TicketV1)).rating == rated.rating

    await eventually(lambda: bool(mine("rated")), what="TicketRatedV1")
    [fact] = mine("rated")
    assert fact.type == "tickets.TicketRated" and fact.version == 1
    assert {k: fact.data[k] for k in ("customer_email", "agent_id", "score", "comment", "number")} == {
        "customer_email": customer,
        "agent_id": "ana",
        "score": 4,
        "comment": "Rápido e gentil",
        "number": ticket.number,
    }

    # Agents read it in the history (with the score); the customer's own history has it too.
    for internal in (True, False):
        history = await bus.request(
            GET_TICKET_HISTORY_V1,
            GetTicketHistoryV1(ticket_id=id_, include_internal=internal),
            TicketHistoryV1,
        )
        [entry] = [e for e in history.entries if e.kind == "rated"]
        assert (entry.score, entry.body, entry.actor, entry.internal) == (
            4,
            "Rápido e gentil",
            customer,
            False,
        )

    again = await bus.request(
        RATE_TICKET_V1, RateTicketV1(ticket_id=id_, customer_email=customer, score=2), TicketV1
    )
    assert again.rating is not None and (again.rating.score, again.rating.comment) == (2, "")
    await eventually(lambda: len(mine("rated")) == 2, what="the replacing rating's fact")
    assert len(mine("rated")) == 2

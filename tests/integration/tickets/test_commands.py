"""The tickets service's request-reply API over a real NATS, as the gateway will call it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from contracts.common import ActorKind
from contracts.subjects import (
    ADD_INTERNAL_NOTE_V1,
    GET_TICKET_HISTORY_V1,
    GET_TICKET_V1,
    LIST_CUSTOMER_TICKETS_V1,
    OPEN_TICKET_V1,
    REPLY_TO_TICKET_V1,
    SEARCH_INBOX_V1,
    START_WORK_V1,
)
from contracts.ticket_commands import (
    AddInternalNoteV1,
    GetTicketV1,
    OpenTicketV1,
    ReplyToTicketV1,
    StartWorkV1,
    TicketV1,
)
from contracts.ticket_queries import (
    GetTicketHistoryV1,
    ListCustomerTicketsV1,
    SearchInboxV1,
    TicketHistoryV1,
    TicketListV1,
)
from plumbing.bus import Bus, RemoteError
from tickets.bootstrap import bootstrap
from tickets.config import Settings

AGENT, CUSTOMER = ActorKind.AGENT, ActorKind.CUSTOMER


@pytest.fixture
async def service(nats_url: str, postgres_url: str) -> AsyncIterator[None]:
    async with bootstrap(Settings(nats_url=nats_url, postgres_url=postgres_url, ops_port=None)) as runtime:
        runtime.health.started = True
        yield


def open_command(request_id: str = "idem-1", email: str = "maria@example.com") -> OpenTicketV1:
    return OpenTicketV1(
        request_id=request_id,
        customer_email=email,
        subject="Não consigo entrar",
        body="Olá",
        department="suporte",
    )


async def test_open_is_idempotent_and_answers_the_ticket(service: None, bus: Bus) -> None:
    first = await bus.request(OPEN_TICKET_V1, open_command(), TicketV1)
    again = await bus.request(OPEN_TICKET_V1, open_command(), TicketV1)
    assert again == first
    assert (first.status.value, first.version, first.channel.value) == ("waiting", 1, "portal")
    assert await bus.request(GET_TICKET_V1, GetTicketV1(ticket_id=first.ticket_id), TicketV1) == first


async def test_refusals_are_coded_for_the_gateway(service: None, bus: Bus) -> None:
    ticket = await bus.request(OPEN_TICKET_V1, open_command("idem-2"), TicketV1)
    worked = await bus.request(
        START_WORK_V1,
        StartWorkV1(
            ticket_id=ticket.ticket_id, expected_version=ticket.version, actor_kind=AGENT, actor="ana"
        ),
        TicketV1,
    )
    assert worked.status.value == "in_progress"

    with pytest.raises(RemoteError) as stale:  # bruno saw the ticket before ana took it
        await bus.request(
            START_WORK_V1,
            StartWorkV1(
                ticket_id=ticket.ticket_id, expected_version=ticket.version, actor_kind=AGENT, actor="bruno"
            ),
            TicketV1,
        )
    assert (stale.value.code, stale.value.reason) == ("409", "stale_version")
    assert stale.value.detail["current"]["version"] == worked.version

    with pytest.raises(RemoteError) as illegal:
        await bus.request(
            START_WORK_V1,
            StartWorkV1(
                ticket_id=ticket.ticket_id, expected_version=worked.version, actor_kind=AGENT, actor="ana"
            ),
            TicketV1,
        )
    assert (illegal.value.code, illegal.value.reason) == ("409", "illegal_transition")

    with pytest.raises(RemoteError) as unversioned:
        await bus.request(
            START_WORK_V1, StartWorkV1(ticket_id=ticket.ticket_id, actor_kind=AGENT, actor="ana"), TicketV1
        )
    assert unversioned.value.code == "422"
    assert unversioned.value.detail["errors"] == [{"field": "expected_version", "reason": "missing"}]

    with pytest.raises(RemoteError) as missing:
        await bus.request(GET_TICKET_V1, GetTicketV1(ticket_id="not-a-uuid"), TicketV1)
    assert (missing.value.code, missing.value.reason) == ("404", "ticket_not_found")


async def test_a_customer_sees_only_their_own_tickets_and_never_writes_notes(service: None, bus: Bus) -> None:
    ticket = await bus.request(OPEN_TICKET_V1, open_command("idem-3"), TicketV1)
    reply = ReplyToTicketV1(
        ticket_id=ticket.ticket_id, actor_kind=CUSTOMER, actor="intruso@example.com", reply_id="x", body="oi"
    )
    with pytest.raises(RemoteError) as foreign:
        await bus.request(REPLY_TO_TICKET_V1, reply, TicketV1)
    assert foreign.value.code == "404", "another customer's ticket does not exist for them"

    note = AddInternalNoteV1(
        ticket_id=ticket.ticket_id, actor_kind=CUSTOMER, actor="maria@example.com", note_id="n", body="x"
    )
    with pytest.raises(RemoteError) as noted:
        await bus.request(ADD_INTERNAL_NOTE_V1, note, TicketV1)
    assert noted.value.code == "404"

    own = reply.model_copy(update={"actor": "Maria@Example.com"})
    answered = await bus.request(REPLY_TO_TICKET_V1, own, TicketV1)
    assert answered.version == ticket.version + 1


async def test_a_change_is_in_the_read_models_when_its_answer_arrives(service: None, bus: Bus) -> None:
    """Read-your-writes: no polling between a command's answer and the lists or the history."""
    for n in range(5):
        ticket = await bus.request(OPEN_TICKET_V1, open_command(f"ryw-{n}", "rui@example.com"), TicketV1)
        mine = await bus.request(
            LIST_CUSTOMER_TICKETS_V1,
            ListCustomerTicketsV1(customer_email="rui@example.com", email_verified=True),
            TicketListV1,
        )
        assert mine.total == n + 1 and mine.tickets[0].number == ticket.number
    noted = await bus.request(
        ADD_INTERNAL_NOTE_V1,
        AddInternalNoteV1(
            ticket_id=ticket.ticket_id, actor_kind=AGENT, actor="ana", note_id="n-1", body="só entre nós"
        ),
        TicketV1,
    )
    agents = await bus.request(
        GET_TICKET_HISTORY_V1,
        GetTicketHistoryV1(ticket_id=ticket.ticket_id, include_internal=True),
        TicketHistoryV1,
    )
    assert [e.kind for e in agents.entries] == ["opened", "note"] and agents.ticket.version == noted.version
    customers = await bus.request(
        GET_TICKET_HISTORY_V1, GetTicketHistoryV1(ticket_id=ticket.ticket_id), TicketHistoryV1
    )
    assert [e.kind for e in customers.entries] == ["opened"]
    inbox = await bus.request(SEARCH_INBOX_V1, SearchInboxV1(text="consigo entrar"), TicketListV1)
    assert inbox.total == 5 and {c.status.value: c.count for c in inbox.by_status} == {"waiting": 5}
    with pytest.raises(RemoteError) as unknown:
        await bus.request(GET_TICKET_HISTORY_V1, GetTicketHistoryV1(ticket_id="not-a-uuid"), TicketHistoryV1)
    assert (unknown.value.code, unknown.value.reason) == ("404", "ticket_not_found")


async def test_a_reply_sent_again_with_its_reply_id_is_added_once(service: None, bus: Bus) -> None:
    """A client retrying a reply whose answer it lost (same Idempotency-Key, so same reply id)."""
    ticket = await bus.request(OPEN_TICKET_V1, open_command("idem-retry"), TicketV1)
    reply = ReplyToTicketV1(
        ticket_id=ticket.ticket_id,
        expected_version=ticket.version,
        actor_kind=CUSTOMER,
        actor="maria@example.com",
        reply_id="portal:reply:k-1",
        body="Segue o comprovante.",
    )
    first = await bus.request(REPLY_TO_TICKET_V1, reply, TicketV1)
    again = await bus.request(REPLY_TO_TICKET_V1, reply, TicketV1)  # not a 409: its version is past
    assert again == first and first.replies == 1
    other = reply.model_copy(update={"reply_id": "portal:reply:k-2", "expected_version": None})
    assert (await bus.request(REPLY_TO_TICKET_V1, other, TicketV1)).replies == 2
    history = await bus.request(
        GET_TICKET_HISTORY_V1, GetTicketHistoryV1(ticket_id=ticket.ticket_id), TicketHistoryV1
    )
    assert [e.kind for e in history.entries] == ["opened", "replied", "replied"]

"""Queues per department: order, positions and waits, first accept wins, no agent → a message."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from chat_helpers import EMAIL, accept, department, listen, online, settle, start, stream
from prometheus_client import REGISTRY
from support.waiting import eventually

from contracts.chat import ConversationListV1, ConversationV1
from contracts.chat_commands import LeaveOfflineMessageV1
from contracts.chat_queries import ListQueueV1
from contracts.subjects import (
    GET_TICKET_V1,
    LEAVE_OFFLINE_MESSAGE_V1,
    LIST_QUEUE_V1,
    TICKETS_INTAKE,
    chat_live_conversation,
    chat_live_queue,
)
from contracts.ticket_commands import GetTicketV1, TicketV1
from contracts.tickets import ticket_id_for
from plumbing.bus import Bus, RemoteError
from plumbing.runtime import Runtime
from tickets.bootstrap import bootstrap as tickets_bootstrap
from tickets.config import Settings as TicketsSettings


async def test_ten_agents_accept_at_once_and_exactly_one_wins(bus: Bus, chat: Runtime) -> None:
    dept = department()
    agents = [f"agente{n}" for n in range(10)]
    for agent in agents:
        await online(bus, agent, dept)
    cid = (await start(bus, dept)).conversation.conversation_id
    outcomes = await asyncio.gather(*(accept(bus, cid, agent) for agent in agents), return_exceptions=True)
    won = [o for o in outcomes if isinstance(o, ConversationV1)]
    lost = [o for o in outcomes if isinstance(o, RemoteError)]
    assert len(won) == 1 and len(lost) == 9
    assert {(e.code, e.reason) for e in lost} == {("409", "already_accepted")}
    winner = won[0].conversation.agent_id
    assert (await accept(bus, cid, winner or "")).conversation.agent_id == winner  # the winner's retry


async def test_the_queue_keeps_arrival_order_and_shows_each_customer_their_place(
    bus: Bus, chat: Runtime
) -> None:
    dept, other = department(), department()
    await online(bus, "ana", dept)
    await online(bus, "bia", other)
    ids = [(await start(bus, dept, email=f"c{n}@example.com")).conversation.conversation_id for n in range(3)]
    elsewhere = (await start(bus, other)).conversation.conversation_id
    queue = await bus.request(LIST_QUEUE_V1, ListQueueV1(departments=[dept, other]), ConversationListV1)
    by_id = {c.conversation_id: c for c in queue.conversations}
    assert [c.conversation_id for c in queue.conversations] == [*ids, elsewhere]
    assert [by_id[i].queue_position for i in ids] == [1, 2, 3] and by_id[elsewhere].queue_position == 1
    waits = [by_id[i].estimated_wait_s or 0 for i in ids]
    assert waits == sorted(waits) and waits[0] < waits[2]

    third = await listen(bus, chat_live_conversation(ids[2]))
    agents_view = await listen(bus, chat_live_queue(dept))
    await accept(bus, ids[0], "ana")

    async def moved() -> bool:
        return bool(third.of("status")) and bool(agents_view.of("queue"))

    await eventually(moved, what="queue frames after the accept")
    place = third.of("status")[-1].conversation
    assert place is not None and place.queue_position == 2 and place.status == "queued"
    now = agents_view.of("queue")[-1].queue or []
    assert [c.conversation_id for c in now] == ids[1:]  # the accepted chat vanished for other agents
    assert REGISTRY.get_sample_value("atende_chat_queue_waiting", {"department": dept}) == 2
    queue = await bus.request(LIST_QUEUE_V1, ListQueueV1(departments=[dept]), ConversationListV1)
    assert [(c.conversation_id, c.queue_position) for c in queue.conversations] == [(ids[1], 1), (ids[2], 2)]


async def test_with_nobody_online_the_message_becomes_a_chat_ticket(
    bus: Bus, nats_url: str, postgres_url: str, chat: Runtime
) -> None:
    dept = department()
    await online(bus, "ana", "Comercial")  # someone, but not of this department
    with pytest.raises(RemoteError) as refused:
        await start(bus, dept)
    assert (refused.value.code, refused.value.reason) == ("409", "no_agent_available")
    message = LeaveOfflineMessageV1(
        request_id="offline-1",
        customer_name="Maria",
        customer_email=EMAIL,
        department=dept,
        message="Preciso da segunda via do boleto",
    )
    left = await bus.request(LEAVE_OFFLINE_MESSAGE_V1, message, ConversationV1)
    assert left.conversation.status == "offline"
    assert [(e.kind, e.text) for e in left.entries] == [("requested", message.message), ("offline", None)]
    cid = left.conversation.conversation_id
    again = await bus.request(LEAVE_OFFLINE_MESSAGE_V1, message, ConversationV1)  # a retry
    assert again.conversation.conversation_id == cid

    async def requested() -> bool:
        return bool(await stream(bus, TICKETS_INTAKE.name, cid))

    await eventually(requested, what="TicketRequestedV1 on TICKETS_INTAKE")
    [(subject, request)] = await stream(bus, TICKETS_INTAKE.name, cid)
    assert subject == "atende.tickets.intake.requested.v1"
    assert (request["channel"], request["source_ref"], request["request_id"]) == (
        "chat",
        cid,
        f"chat:offline:{cid}",
    )
    assert request["body"] == message.message and request["department"] == dept

    tickets = TicketsSettings(nats_url=nats_url, postgres_url=postgres_url, ops_port=None)
    async with tickets_bootstrap(tickets) as backend:
        backend.health.started = True
        ticket_id = ticket_id_for(f"chat:offline:{cid}")

        async def opened() -> bool:
            try:
                await bus.request(GET_TICKET_V1, GetTicketV1(ticket_id=ticket_id), TicketV1)
            except RemoteError:
                return False
            return True

        await eventually(opened, what="the ticket opened from the chat")
        ticket = await bus.request(GET_TICKET_V1, GetTicketV1(ticket_id=ticket_id), TicketV1)
        assert ticket.channel == "chat" and ticket.customer_email == EMAIL and ticket.department == dept


async def test_a_queued_chat_that_waited_too_long_becomes_a_message(bus: Bus, chat: Runtime) -> None:
    dept = department()
    await online(bus, "ana", dept)
    cid = (await start(bus, dept)).conversation.conversation_id
    frames = await listen(bus, chat_live_queue(dept))
    message = LeaveOfflineMessageV1(
        request_id="late-1",
        conversation_id=cid,
        customer_name="Maria",
        customer_email=EMAIL,
        department=dept,
        message="Ninguém atendeu, me liguem",
    )
    left = await bus.request(LEAVE_OFFLINE_MESSAGE_V1, message, ConversationV1)
    assert left.conversation.status == "offline" and left.entries[0].seq == 2
    await settle()
    assert frames.of("queue")[-1].queue == []
    [(_, request)] = [item for item in await _eventually_intake(bus, cid)]
    assert request["body"].endswith("Ninguém atendeu, me liguem")
    assert datetime.fromisoformat(request["received_at"]) <= datetime.now(UTC)


async def _eventually_intake(bus: Bus, cid: str) -> list[tuple[str, dict[str, Any]]]:
    async def found() -> bool:
        return bool(await stream(bus, TICKETS_INTAKE.name, cid))

    await eventually(found, what="the late message's ticket request")
    return await stream(bus, TICKETS_INTAKE.name, cid)

"""Two replicas each of tickets and chat as real processes: work spreads, one relay leads, kill -9 loses nothing.

Commands go to the services' queue groups, so both replicas answer some; each service's relay
publishes from exactly one replica; killing that replica with SIGKILL mid-load hands leadership to
the other, and every ticket opened (retried with its request id when the kill caught it in flight)
is published exactly once and listed once — the same result as one replica.
"""

from __future__ import annotations

import asyncio
import signal
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import nats.errors
import pytest
from support import infra
from support.jetstream import facts
from support.replicas import Replica, end, launch, ready
from support.waiting import eventually

from contracts.chat import ConversationListV1, ConversationV1
from contracts.chat_commands import PresenceStateV1, SetPresenceV1, StartChatV1
from contracts.chat_queries import ListQueueV1
from contracts.subjects import (
    CHAT_REQUESTED_V1,
    LIST_CUSTOMER_TICKETS_V1,
    LIST_QUEUE_V1,
    OPEN_TICKET_V1,
    SET_PRESENCE_V1,
    START_CHAT_V1,
    TICKET_OPENED_V1,
)
from contracts.ticket_commands import OpenTicketV1, TicketV1
from contracts.ticket_queries import ListCustomerTicketsV1, TicketListV1
from devstack.nats import NatsServer
from devstack.services import spec_named
from plumbing.bus import Bus, RemoteError

CUSTOMER = "replicas@example.com"


@pytest.fixture
async def fleet(
    own_nats: NatsServer, servers: infra.Session, tmp_path: Path
) -> AsyncIterator[dict[str, Replica]]:
    """tickets-1, tickets-2, chat-1 and chat-2, each pair on one database."""
    replicas: dict[str, Replica] = {}
    for service in ("tickets", "chat"):
        spec = spec_named(service)
        database = servers.database(spec.module)
        for n in (1, 2):
            replicas[f"{service}-{n}"] = launch(spec, f"{service}-{n}", own_nats.url, database, tmp_path)
    try:
        for replica in replicas.values():
            await eventually(lambda r=replica: ready(r), timeout=60, what=f"{replica.name} ready")
        yield replicas
    finally:
        end(list(replicas.values()))


async def open_ticket(bus: Bus, n: int, retried: list[int] | None = None) -> str:
    """Open ticket ``n``, retrying with the same request id until a replica answers (idempotent).

    Each retry is noted in ``retried``: a request that failed and had to be sent again.
    """
    command = OpenTicketV1(
        request_id=f"scale-{n}", customer_email=CUSTOMER, subject=f"Pedido {n}", body="Preciso de ajuda."
    )
    for _ in range(20):
        try:
            return (await bus.request(OPEN_TICKET_V1, command, TicketV1, timeout=3)).ticket_id
        except (TimeoutError, nats.errors.NoRespondersError):  # caught in flight by the kill
            pass
        except RemoteError as error:  # a replica going down answers 503 at most
            if error.code != "503":
                raise
        if retried is not None:
            retried.append(n)
        await asyncio.sleep(0.2)
    raise AssertionError(f"ticket {n} never opened")


async def published(bus: Bus, subject: str, key: str) -> Counter[str]:
    """How often each ``key`` value was published on ``subject`` (the stream's whole history)."""
    return Counter(fact[key] for fact in await facts(bus, subject))


async def one_leader(replicas: list[Replica], app: str) -> Replica:
    """The only replica whose relay of ``app`` leads (waits until exactly one does)."""

    async def leaders() -> list[Replica]:
        return [r for r in replicas if await r.leads(app)]

    async def exactly_one() -> bool:
        return len(await leaders()) == 1

    await eventually(exactly_one, timeout=20, what=f"one {app} relay leading")
    (leader,) = await leaders()
    return leader


async def test_two_replicas_share_the_work_and_a_kill_9_of_the_leader_loses_nothing(
    fleet: dict[str, Replica], own_nats: NatsServer
) -> None:
    tickets = [fleet["tickets-1"], fleet["tickets-2"]]
    bus = await Bus.connect(own_nats.url, "scale-out-test")
    try:
        first = [await open_ticket(bus, n) for n in range(30)]
        served = [await r.requests_served() for r in tickets]
        assert all(count > 0 for count in served), f"the queue group spread the commands: {served}"
        leader = await one_leader(tickets, "Tickets")

        progress: list[str] = []

        async def load() -> list[str]:
            for n in range(30, 90):
                progress.append(await open_ticket(bus, n))
            return progress

        loading = asyncio.create_task(load())
        await eventually(lambda: len(progress) >= 10, what="the load under way")
        leader.process.send_signal(signal.SIGKILL)  # mid-load, no goodbye
        assert len(progress) < 60, "killed while tickets were still being opened"
        survivor = next(r for r in tickets if r is not leader)
        opened = first + await loading
        await one_leader([survivor], "Tickets")

        # Exactly once on the wire, and once in the survivor's read model.
        facts = await published(bus, TICKET_OPENED_V1, "ticket_id")
        assert set(facts) == set(opened) and len(opened) == 90
        assert max(facts.values()) == 1, "no ticket published twice"
        listed = await bus.request(
            LIST_CUSTOMER_TICKETS_V1,
            ListCustomerTicketsV1(customer_email=CUSTOMER, email_verified=True, limit=200),
            TicketListV1,
        )
        assert sorted(t.ticket_id for t in listed.tickets) == sorted(opened)

        # The killed pod comes back; then the other is stopped the polite way (a rolling update):
        # it finishes what it holds and hands over, so not one request fails, and it is gone in 10 s.
        restarted = leader.again()
        fleet[restarted.name] = restarted
        await eventually(lambda: ready(restarted), timeout=60, what="the killed replica back")
        progress.clear()
        retried: list[int] = []

        async def polite_load() -> list[str]:
            for n in range(90, 150):
                progress.append(await open_ticket(bus, n, retried))
            return progress

        loading = asyncio.create_task(polite_load())
        await eventually(lambda: len(progress) >= 10, what="the load under way")
        survivor.process.send_signal(signal.SIGTERM)
        assert survivor.process.wait(timeout=10) == 0, survivor.log.read_text()[-3000:]
        opened += await loading
        assert retried == [], "a graceful stop fails no request"
        await one_leader([restarted], "Tickets")
        facts = await published(bus, TICKET_OPENED_V1, "ticket_id")
        assert set(facts) == set(opened) and len(opened) == 150 and max(facts.values()) == 1

        # Chat: the same shape — both replicas answer, one relay publishes, each request once.
        chats = [fleet["chat-1"], fleet["chat-2"]]
        department = f"Suporte-{uuid.uuid4().hex[:6]}"
        presence = SetPresenceV1(
            agent_id="ana", agent_name="Ana", departments=[department], presence="online"
        )
        await bus.request(SET_PRESENCE_V1, presence, PresenceStateV1)
        started = []
        for n in range(20):
            command = StartChatV1(
                request_id=f"chat-{n}",
                customer_name="Maria",
                customer_email=f"c{n}@example.com",
                question="Não consigo emitir a nota fiscal",
                department=department,
            )
            started.append(
                (await bus.request(START_CHAT_V1, command, ConversationV1)).conversation.conversation_id
            )
        await one_leader(chats, "Conversations")
        queue = await bus.request(LIST_QUEUE_V1, ListQueueV1(departments=[department]), ConversationListV1)
        assert [c.conversation_id for c in queue.conversations] == started
        requested = await published(bus, CHAT_REQUESTED_V1, "conversation_id")
        assert set(requested) >= set(started) and all(requested[c] == 1 for c in started)
    finally:
        await bus.close()

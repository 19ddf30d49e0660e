"""NATS stopped for 12 s while customers chat through the gateway: every acknowledged message is kept once.

chat and the gateway run as processes against a NATS of the test's own. Customers keep talking over
their WebSockets before, during and after the outage (the agent's part, presence and accept, goes to
chat over NATS beforehand). While NATS is down each message is refused quickly with a clean
``unavailable`` error frame on the socket; a refused message is sent again with its client_id
afterwards, as the widget does. A quiet "witness" chat falls due for abandonment mid-outage, so chat
records an event its relay cannot publish. Once NATS is back, with no process restarted: every
message is in its conversation exactly once at the number its ack named, and on the CHAT stream
once; the witness's end is published once; the relay's lag is back to 0; the sockets, never
reopened, get live frames again.
(Tickets, notifier and insights through a 30 s outage: tests/e2e/test_nats_outage.py.)
"""

from __future__ import annotations

import asyncio
import json
import math
import secrets
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import httpx
import pytest
from support import infra
from support.jetstream import facts, message_ids
from support.replicas import Replica, launch, ready
from support.sockets import FrameReader
from support.waiting import eventually
from websockets.asyncio.client import ClientConnection, connect

from contracts.chat import ConversationStatus, ConversationV1
from contracts.chat_commands import AcceptChatV1, PresenceStateV1, SetPresenceV1
from contracts.chat_queries import GetConversationV1
from contracts.subjects import (
    ACCEPT_CHAT_V1,
    CHAT_CLOSED_V1,
    CHAT_MESSAGE_POSTED_V1,
    GET_CONVERSATION_V1,
    SET_PRESENCE_V1,
)
from devstack.nats import NatsServer
from devstack.services import spec_named
from plumbing.bus import Bus

pytestmark = pytest.mark.e2e
OUTAGE_S = 12  # shorter than the 30 s (test_nats_outage.py) to keep the suite fast
ANSWER_WITHIN_S = 9  # well under the outage: a message held until NATS came back would exceed it
CHATS = 4
DEPARTMENT = "Suporte"
ABANDON_AFTER_S = 20  # the talking chats are never this quiet (at most the outage and a reconnection)
WITNESS_TO_OUTAGE_S = 13  # NATS stops this long after the witness chat starts: it falls due 7 s into it
RELAY_LAG = ("atende_relay_lag_events", 'app="Conversations"')


@pytest.fixture
async def fleet(
    own_nats: NatsServer, servers: infra.Session, tmp_path: Path, running: list[Replica]
) -> dict[str, Replica]:
    """chat (its relay, abandoning quiet chats every 0.5 s) and the gateway."""
    chat, gateway = spec_named("chat"), spec_named("gateway")
    env = {
        "chat": {
            chat.env_prefix + "ABANDON_AFTER_S": str(ABANDON_AFTER_S),
            chat.env_prefix + "ABANDON_POLL_S": "0.5",
        },
        # A steady load from a few sockets: the flood bucket would refuse it (rate_limited), not the outage.
        "gateway": {
            gateway.env_prefix + "RATE_LIMITS": "false",
            gateway.env_prefix + "CHAT_MESSAGES_PER_S": "100",
            gateway.env_prefix + "CHAT_MESSAGES_BURST": "100",
        },
    }
    for spec in (chat, gateway):
        replica = launch(
            spec, spec.name, own_nats.url, servers.database(spec.module), tmp_path, env=env[spec.name]
        )
        running.append(replica)
    for replica in running:
        await eventually(partial(ready, replica), timeout=60, what=f"{replica.name} ready\n{replica.tail()}")
    return {replica.name: replica for replica in running}


@dataclass(frozen=True)
class Attempt:
    """One message sent on a socket and how the gateway answered it."""

    client_id: str
    text: str
    sent: float
    took: float  # seconds to its ack or error frame; inf: none within ANSWER_WITHIN_S
    seq: int = 0  # acknowledged: its sequence number
    error: str = ""  # refused: the error frame's reason


class Customer(FrameReader):
    """A customer's socket on one conversation: every frame it gets (read in the background) and its messages."""

    def __init__(self, conversation_id: str, socket: ClientConnection) -> None:
        super().__init__(socket)
        self.conversation_id = conversation_id
        self.attempts: list[Attempt] = []  # the load: each message once
        self.retries: list[Attempt] = []  # the refused ones sent again after the outage

    async def say(self, client_id: str, text: str) -> Attempt:
        """Send a message and wait (up to ANSWER_WITHIN_S) for the ack or error frame naming it."""
        seen, sent = len(self.frames), time.monotonic()
        await self.socket.send(json.dumps({"type": "message", "client_id": client_id, "text": text}))
        while time.monotonic() - sent < ANSWER_WITHIN_S:
            for frame in self.frames[seen:]:
                if frame.get("client_id") == client_id and frame.get("type") in ("ack", "error"):
                    took = time.monotonic() - sent
                    return Attempt(client_id, text, sent, took, frame.get("seq", 0), frame.get("reason", ""))
            await asyncio.sleep(0.02)
        return Attempt(client_id, text, sent, math.inf)

    def acked_since(self, moment: float) -> bool:
        return any(a.seq and a.sent > moment for a in self.attempts)

    def live(self) -> set[int]:
        """Sequence numbers of the message entries pushed to this socket."""
        entries = (f["entry"] for f in self.frames if f.get("type") == "entry")
        return {e["seq"] for e in entries if e["kind"] == "message"}


async def keep_talking(customer: Customer, tag: str, stop: asyncio.Event) -> None:
    """One message at a time until ``stop``; a refused one is not retried here."""
    n = 0
    while not stop.is_set():
        n += 1
        attempt = await customer.say(f"{tag}-{n}", f"Mensagem {tag}-{n}")
        customer.attempts.append(attempt)
        await asyncio.sleep(0.2 if attempt.seq else 0.5)


async def start_chat(http: httpx.AsyncClient, who: str) -> tuple[str, str]:
    """Fill in the start form; (conversation id, resume token)."""
    form = {
        "name": "Maria",
        "email": f"{who}@example.com",
        "question": "O boleto não abre",
        "department": DEPARTMENT,
    }
    started = await http.post("/api/v1/chat/conversations", json=form)
    assert started.status_code == 201, started.text
    return started.json()["conversation"]["conversation_id"], started.json()["resume_token"]


async def conversation(bus: Bus, conversation_id: str) -> ConversationV1:
    found: ConversationV1 = await bus.request(
        GET_CONVERSATION_V1, GetConversationV1(conversation_id=conversation_id), ConversationV1
    )
    return found


async def relay_lag(chat: Replica) -> float:
    """chat's relay backlog as its /metrics says (events recorded, not yet published)."""
    return next((v for name, labels, v in await chat.metrics() if (name, labels) == RELAY_LAG), math.nan)


async def relay_behind(chat: Replica) -> bool:
    return await relay_lag(chat) > 0


async def test_nats_down_while_customers_chat_keeps_every_acknowledged_message_once_and_all_resumes(
    own_nats: NatsServer, fleet: dict[str, Replica], bus: Bus
) -> None:
    chat, gateway, tag = fleet["chat"], fleet["gateway"], secrets.token_hex(3)
    pids = {name: replica.process.pid for name, replica in fleet.items()}
    online = SetPresenceV1(
        agent_id="ana", agent_name="Ana", presence="online", departments=[DEPARTMENT], capacity=CHATS
    )
    await bus.request(SET_PRESENCE_V1, online, PresenceStateV1)
    http = httpx.AsyncClient(base_url=gateway.url, timeout=30)
    customers: list[Customer] = []
    try:
        for n in range(CHATS):
            conversation_id, token = await start_chat(http, f"c{n}-{tag}")
            accept = AcceptChatV1(conversation_id=conversation_id, agent_id="ana", agent_name="Ana")
            await bus.request(ACCEPT_CHAT_V1, accept, ConversationV1)
            url = gateway.url.replace("http://", "ws://") + f"/api/v1/chat/socket?token={token}"
            customers.append(Customer(conversation_id, await connect(url)))
        stop = asyncio.Event()
        load = asyncio.gather(*(keep_talking(c, f"{tag}-{i}", stop) for i, c in enumerate(customers)))
        try:
            await eventually(
                lambda: all(c.acked_since(0) for c in customers), timeout=30, what="every customer talking"
            )
            witness, _ = await start_chat(http, f"w-{tag}")
            await asyncio.sleep(WITNESS_TO_OUTAGE_S)  # the schedule: the load goes on meanwhile

            await asyncio.to_thread(own_nats.stop)
            down, down_at = time.monotonic(), datetime.now(UTC)
            # chat still records (the witness is abandoned) but cannot publish: its relay falls behind.
            await eventually(lambda: relay_behind(chat), timeout=OUTAGE_S - 1, what="chat's relay behind")
            await asyncio.sleep(max(0.0, down + OUTAGE_S - time.monotonic()))
            await asyncio.to_thread(own_nats.start)
            up, up_at = time.monotonic(), datetime.now(UTC)
            await eventually(
                lambda: all(c.acked_since(up) for c in customers), timeout=30, what="talking again"
            )
        finally:
            stop.set()
            await load
        attempts = [a for c in customers for a in c.attempts]
        inside = [a for a in attempts if down + 1 < a.sent < up - 6]  # gateway gave up before NATS was back
        took = sorted(a.took for a in inside) or [math.nan]
        print(
            f"{len(attempts)} messages: {Counter(a.error or 'ack' for a in attempts)}; slowest answer "
            f"{max(a.took for a in attempts):.2f} s; inside the outage {took[0]:.2f}–{took[-1]:.2f} s"
        )
        assert all(a.took <= ANSWER_WITHIN_S for a in attempts), [
            a for a in attempts if a.took > ANSWER_WITHIN_S
        ]
        assert inside and not any(a.seq for a in inside), "messages met the outage"
        assert {a.error for a in attempts if not a.seq} == {"unavailable"}, "clean refusals only"
        await eventually(lambda: bus.connected, timeout=20, what="the test's own connection back")

        # A refusal inside the outage took no effect; only one in flight at the stop (or sent as NATS
        # came back, with little time left) may have been stored: the widget sends it again.
        kept = 0
        for customer in customers:
            before = await conversation(bus, customer.conversation_id)
            stored = {e.client_id for e in before.entries if e.kind == "message"}
            assert not stored & {a.client_id for a in inside}, "refused, yet stored"
            for refused in [a for a in customer.attempts if not a.seq]:
                kept += refused.client_id in stored
                customer.retries.append(again := await customer.say(refused.client_id, refused.text))
                assert again.seq, again
        print(f"{kept} refused messages had been stored (in flight at the stop); their retries acked once")

        # Every message once, at the number its ack named, consecutive from 1.
        expected: Counter[tuple[str, int, str]] = Counter()
        for customer in customers:
            whole = await conversation(bus, customer.conversation_id)
            assert whole.conversation.status is ConversationStatus.ACTIVE, whole.conversation
            seqs = [entry.seq for entry in whole.entries]
            assert seqs == list(range(1, len(seqs) + 1)), f"consecutive numbers: {seqs}"
            messages = [e for e in whole.entries if e.kind == "message"]
            assert Counter(e.client_id for e in messages) == Counter(a.client_id for a in customer.attempts)
            acked = {a.client_id: a.seq for a in customer.attempts + customer.retries if a.seq}
            assert {e.client_id: e.seq for e in messages} == acked, "each at the number its ack named"
            expected.update((customer.conversation_id, e.seq, str(e.text)) for e in messages)

        # The witness was abandoned while NATS was away, so its end waited in chat's outbox.
        ended = await conversation(bus, witness)
        assert ended.conversation.status is ConversationStatus.ABANDONED, ended.conversation
        abandoned = next(e.at for e in ended.entries if e.kind == "abandoned")
        assert down_at < abandoned < up_at, (down_at, abandoned, up_at)

        # Everything on the CHAT stream once, the relay having caught up by itself.
        ours = {c.conversation_id for c in customers}

        async def published() -> Counter[tuple[str, int, str]]:
            found = await facts(bus, CHAT_MESSAGE_POSTED_V1, idle_s=0.5)
            return Counter(
                (f["conversation_id"], f["seq"], f["text"]) for f in found if f["conversation_id"] in ours
            )

        async def caught_up() -> bool:
            return set(expected) <= set(await published()) and await relay_lag(chat) == 0

        await eventually(caught_up, timeout=60, what="every message published, relay lag 0")
        print(f"relay caught up {time.monotonic() - up:.1f} s after NATS came back")
        assert await published() == expected, "each message on the stream once, and nothing else"
        closed = [f for f in await facts(bus, CHAT_CLOSED_V1) if f["conversation_id"] == witness]
        assert [f["status"] for f in closed] == ["abandoned"], closed
        assert max((await message_ids(bus, "atende.chat.events.>")).values()) == 1, "no fact twice"

        # The sockets, never reopened, get live frames again: every message acknowledged after the outage.
        after = {c: {a.seq for a in c.attempts + c.retries if a.seq and a.sent > up} for c in customers}
        await eventually(lambda: all(seqs <= c.live() for c, seqs in after.items()), what="live frames again")
        assert all(c.dropped is None for c in customers), "no socket dropped"
        # By themselves: the same processes, each of which lost NATS and found it again.
        assert {name: r.process.pid for name, r in fleet.items() if r.process.poll() is None} == pids
        assert all("nats.reconnected" in r.log.read_text() for r in fleet.values())
    finally:
        await http.aclose()
        for customer in customers:
            await customer.close()

"""Replicas and restarts: shared load without loss or duplicates; everything (presence too) survives."""

from __future__ import annotations

import asyncio
import uuid

from chat_helpers import EMAIL, accept, department, get, online, running, say, start, stream
from support.waiting import eventually

from contracts.chat_queries import AvailabilityV1, GetAvailabilityV1
from contracts.subjects import CHAT, GET_AVAILABILITY_V1
from plumbing.bus import Bus


async def test_two_replicas_share_the_load_and_lose_or_repeat_nothing(
    bus: Bus, nats_url: str, postgres_url: str
) -> None:
    async with running(nats_url, postgres_url) as one, running(nats_url, postgres_url) as two:
        dept = department()
        await online(bus, "ana", dept, capacity=20)
        chats = [(await start(bus, dept)).conversation.conversation_id for _ in range(6)]
        for cid in chats:
            await accept(bus, cid, "ana")

        async def talk(cid: str) -> list[int]:
            seqs = []
            for n in range(10):
                # Both sides at once: requests land on either replica (one queue group).
                pair = await asyncio.gather(
                    say(bus, cid, f"cliente {n}", client_id=f"{cid}:c{n}"),
                    say(bus, cid, f"agente {n}", agent="ana", client_id=f"{cid}:a{n}"),
                )
                seqs += [ack.seq for ack in pair]
            # A retry of every message, wherever it lands, answers the number it got.
            retried = await asyncio.gather(*(say(bus, cid, "x", client_id=f"{cid}:c{n}") for n in range(10)))
            assert [ack.seq for ack in retried] == seqs[0::2]
            return seqs

        before = [rt.bus.nc.stats["in_msgs"] for rt in (one, two)]
        results = await asyncio.gather(*(talk(cid) for cid in chats))
        after = [rt.bus.nc.stats["in_msgs"] for rt in (one, two)]
        # One queue group: both replicas took a share of the 180 posts.
        assert all(a - b >= 20 for a, b in zip(after, before, strict=True)), (before, after)
        for cid, seqs in zip(chats, results, strict=True):
            assert sorted(seqs) == list(range(3, 23)), "every message once, numbers without gaps"
            entries = (await get(bus, cid)).entries
            assert [e.seq for e in entries] == list(range(1, 23))
            assert sorted(e.client_id for e in entries if e.kind == "message") == sorted(
                [f"{cid}:c{n}" for n in range(10)] + [f"{cid}:a{n}" for n in range(10)]
            )

        async def relayed() -> bool:
            for cid in chats:
                if sum(s.endswith("message-posted.v1") for s, _ in await stream(bus, CHAT.name, cid)) < 20:
                    return False
            return True

        await eventually(relayed, what="every message on the CHAT stream")
        for cid in chats:
            posted = [
                d["seq"] for s, d in await stream(bus, CHAT.name, cid) if s.endswith("message-posted.v1")
            ]
            assert sorted(posted) == list(range(3, 23)), "each fact once (two relays, deduplicated)"


async def test_a_restart_keeps_conversations_and_presence(bus: Bus, nats_url: str, postgres_url: str) -> None:
    dept = department()
    async with running(nats_url, postgres_url):
        await online(bus, "ana", dept)
        cid = (await start(bus, dept, request_id=f"restart-{uuid.uuid4()}")).conversation.conversation_id
        await accept(bus, cid, "ana")
        first = await say(bus, cid, "antes")
    async with running(nats_url, postgres_url):
        whole = await get(bus, cid)
        assert [e.kind for e in whole.entries] == ["requested", "accepted", "message"]
        assert whole.conversation.agent_id == "ana" and whole.conversation.customer_email == EMAIL
        again = await say(bus, cid, "antes", client_id="unused")
        assert again.seq == first.seq + 1
        available = await bus.request(
            GET_AVAILABILITY_V1, GetAvailabilityV1(departments=[dept]), AvailabilityV1
        )
        [state] = available.departments
        assert (state.agents_online, state.free_slots) == (1, 2), "presence kept in PostgreSQL"

"""The background loops: abandonment of chats whose customer went away; optional auto-assignment."""

from __future__ import annotations

import asyncio

from chat_helpers import EMAIL, accept, department, get, listen, online, running, start, stream
from support.waiting import eventually

from contracts.chat import ConversationV1
from contracts.chat_commands import TouchChatV1
from contracts.subjects import CHAT, TOUCH_CHAT_V1, chat_live_agent, chat_live_conversation
from plumbing.bus import Bus

QUICK = {"abandon_after_s": 1.0, "abandon_poll_s": 0.2}


async def test_a_chat_whose_customer_went_away_is_abandoned_once_by_one_of_two_replicas(
    bus: Bus, nats_url: str, postgres_url: str
) -> None:
    async with running(nats_url, postgres_url, **QUICK), running(nats_url, postgres_url, **QUICK):
        dept = department()
        await online(bus, "ana", dept)
        gone = (await start(bus, dept)).conversation.conversation_id
        here = (await start(bus, dept, email="joao@example.com")).conversation.conversation_id
        await accept(bus, here, "ana")
        frames = await listen(bus, chat_live_conversation(gone))
        stop = asyncio.Event()

        async def heartbeat() -> None:
            while not stop.is_set():
                touch = TouchChatV1(conversation_id=here, customer_email="joao@example.com")
                answer = await bus.request(TOUCH_CHAT_V1, touch, ConversationV1)
                assert answer.conversation.conversation_id == here
                await asyncio.sleep(0.2)

        beating = asyncio.create_task(heartbeat())
        try:

            async def abandoned() -> bool:
                return (await get(bus, gone)).conversation.status == "abandoned"

            await eventually(abandoned, what="the abandoned chat")
            await asyncio.sleep(1.5)  # more rounds, on both replicas: nothing happens twice
        finally:
            stop.set()
            await beating
        assert (await get(bus, here)).conversation.status == "active", "a customer still there stays"
        entries = (await get(bus, gone)).entries
        assert [e.kind for e in entries] == ["requested", "abandoned"] and entries[-1].author_kind == "system"
        assert frames.of("status")[-1].conversation.status == "abandoned"

        async def published() -> bool:
            return bool(await stream(bus, CHAT.name, gone)) and len(await stream(bus, CHAT.name, gone)) >= 2

        await eventually(published, what="ChatClosedV1 (abandoned)")
        closed = [d for s, d in await stream(bus, CHAT.name, gone) if s.endswith(".closed.v1")]
        assert len(closed) == 1 and closed[0]["status"] == "abandoned" and closed[0]["closed_by"] == "system"
        assert closed[0]["customer_email"] == EMAIL


async def test_auto_assignment_gives_each_chat_to_the_least_loaded_agent_with_room(
    bus: Bus, nats_url: str, postgres_url: str
) -> None:
    async with running(nats_url, postgres_url, auto_assign=True, auto_assign_poll_s=0.2):
        dept = department()
        await online(bus, "ana", dept, capacity=2)
        ana_inbox = await listen(bus, chat_live_agent("ana"))

        async def assigned(cid: str) -> str | None:
            summary = (await get(bus, cid)).conversation
            return summary.agent_id if summary.status == "active" else None

        async def started_and_assigned() -> tuple[str, str | None]:
            cid = (await start(bus, dept)).conversation.conversation_id

            async def given() -> bool:
                return await assigned(cid) is not None

            await eventually(given, timeout=5, what="an auto-assignment")
            return cid, await assigned(cid)

        first = await started_and_assigned()
        assert first[1] == "ana"
        await online(bus, "bia", dept, capacity=2)
        assert (await started_and_assigned())[1] == "bia"  # 0 chats against ana's 1
        assert (await started_and_assigned())[1] == "ana"  # 1 each: the tie goes by id
        assert (await started_and_assigned())[1] == "bia"
        full = (await start(bus, dept)).conversation.conversation_id
        await asyncio.sleep(0.6)  # a few rounds: nobody has room
        assert (await get(bus, full)).conversation.status == "queued"
        assert ana_inbox.of("status")[0].conversation.conversation_id == first[0]

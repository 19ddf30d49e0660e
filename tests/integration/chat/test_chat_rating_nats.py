"""Rating an ended chat through NATS: the answer, the views, one ChatRatedV1 per rating, the refusals."""

from __future__ import annotations

import uuid

import pytest
from chat_helpers import accept, close, department, get, online, say, start, stream
from support.waiting import eventually

from contracts.chat import ConversationListV1, ConversationV1
from contracts.chat_commands import RateChatV1
from contracts.chat_queries import SearchChatsV1
from contracts.subjects import CHAT, RATE_CHAT_V1, SEARCH_CHATS_V1
from plumbing.bus import Bus, RemoteError
from plumbing.runtime import Runtime


async def rate(
    bus: Bus, conversation: str, score: int, comment: str = "", email: str | None = None
) -> ConversationV1:
    command = RateChatV1(conversation_id=conversation, customer_email=email, score=score, comment=comment)
    return await bus.request(RATE_CHAT_V1, command, ConversationV1)


async def rated_facts(bus: Bus, conversation: str) -> list[dict[str, object]]:
    return [
        data for subject, data in await stream(bus, CHAT.name, conversation) if subject.endswith(".rated.v1")
    ]


async def test_a_rating_is_answered_shown_and_published_once(bus: Bus, chat: Runtime) -> None:
    dept = department()
    await online(bus, "ana", dept)
    email = f"maria-{uuid.uuid4().hex[:8]}@example.com"
    cid = (await start(bus, dept, email=email)).conversation.conversation_id
    await accept(bus, cid, "ana")
    await close(bus, cid, by_agent="ana")

    answer = await rate(bus, cid, 5, "  Resolveu na hora  ")
    rating = answer.conversation.rating
    assert rating is not None and (rating.score, rating.comment) == (5, "Resolveu na hora")
    assert answer.conversation.status == "closed" and answer.entries == []  # no entry in the transcript
    again = await rate(bus, cid, 5, "Resolveu na hora")  # the widget's retry
    assert again.conversation.rating == rating  # the first one's time: nothing new was recorded

    whole = await get(bus, cid)
    assert whole.conversation.rating == rating and [e.kind for e in whole.entries][-1] == "closed"
    mine = await bus.request(SEARCH_CHATS_V1, SearchChatsV1(customer_email=email), ConversationListV1)
    assert [c.rating for c in mine.conversations] == [rating]

    async def published() -> bool:
        return len(await rated_facts(bus, cid)) == 1

    await eventually(published, what="ChatRatedV1 on the CHAT stream")
    [fact] = await rated_facts(bus, cid)
    assert fact["score"] == 5 and fact["comment"] == "Resolveu na hora" and fact["agent_id"] == "ana"
    assert fact["department"] == dept and fact["customer_email"] == email

    # From the portal, the customer changes their mind: it replaces the first (and is published too).
    changed = await rate(bus, cid, 3, "Pensando melhor, demorou", email=email.upper())
    assert changed.conversation.rating is not None and changed.conversation.rating.score == 3
    assert (await get(bus, cid)).conversation.rating == changed.conversation.rating

    async def both() -> bool:
        return len(await rated_facts(bus, cid)) == 2

    await eventually(both, what="the second ChatRatedV1")
    assert [f["score"] for f in await rated_facts(bus, cid)] == [5, 3]


async def test_only_an_ended_chat_of_the_customer_named_can_be_rated(bus: Bus, chat: Runtime) -> None:
    dept = department()
    await online(bus, "ana", dept)
    cid = (await start(bus, dept)).conversation.conversation_id
    with pytest.raises(RemoteError) as queued:
        await rate(bus, cid, 4)
    assert (queued.value.code, queued.value.reason) == ("409", "chat_not_ended")
    await accept(bus, cid, "ana")
    await say(bus, cid, "oi")
    with pytest.raises(RemoteError) as active:
        await rate(bus, cid, 4)
    assert (active.value.code, active.value.reason) == ("409", "chat_not_ended")
    await close(bus, cid)
    with pytest.raises(RemoteError) as someone_else:
        await rate(bus, cid, 1, email="outra@example.com")
    assert (someone_else.value.code, someone_else.value.reason) == ("404", "conversation_not_found")
    for missing in (str(uuid.uuid4()), "not-a-uuid"):
        with pytest.raises(RemoteError) as unknown:
            await rate(bus, missing, 5)
        assert (unknown.value.code, unknown.value.reason) == ("404", "conversation_not_found")
    assert (await get(bus, cid)).conversation.rating is None
    assert await rated_facts(bus, cid) == []

"""Messages: persisted before delivered, numbered, acknowledged, gap-filled, searched; who may do what."""

from __future__ import annotations

import asyncio
import uuid

import psycopg
import pytest
from chat_helpers import EMAIL, accept, close, department, get, listen, online, say, start
from support.waiting import eventually

from contracts.chat import ConversationListV1, ConversationV1
from contracts.chat_commands import TransferChatV1
from contracts.chat_queries import SearchChatsV1
from contracts.subjects import SEARCH_CHATS_V1, TRANSFER_CHAT_V1, chat_live_agent, chat_live_conversation
from plumbing.bus import Bus, RemoteError
from plumbing.runtime import Runtime


async def active_chat(bus: Bus, agent: str = "ana") -> str:
    dept = department()
    await online(bus, agent, dept)
    cid = (await start(bus, dept)).conversation.conversation_id
    await accept(bus, cid, agent)
    return cid


async def test_a_reconnecting_client_gets_exactly_the_gap(bus: Bus, chat: Runtime) -> None:
    cid = await active_chat(bus)
    acks = [await say(bus, cid, f"mensagem {n}") for n in range(5)]
    seqs = [ack.seq for ack in acks]
    assert seqs == list(range(3, 8))
    gap = await get(bus, cid, after_seq=seqs[1])
    assert [(e.seq, e.text) for e in gap.entries] == [
        (s, f"mensagem {n}") for n, s in enumerate(seqs) if n >= 2
    ]
    assert (await get(bus, cid, after_seq=seqs[-1])).entries == []
    # An access check asks for the conversation alone: no entries, however long the chat.
    alone = await get(bus, cid, entries=False)
    assert alone.entries == [] and alone.conversation.last_seq == seqs[-1]


async def test_a_download_check_reads_only_the_entry_that_shared_the_file(bus: Bus, chat: Runtime) -> None:
    cid = await active_chat(bus)
    files = [uuid.uuid4().hex for _ in range(3)]
    shared = {}
    for n, file in enumerate(files):
        await say(bus, cid, f"antes {n}")
        shared[file] = (await say(bus, cid, None, agent="ana", attachment_id=file)).seq
    # The last one straight away (it may still be only in the event store), the others from the views.
    for file in reversed(files):
        found = await get(bus, cid, attachment_id=file)
        assert [(e.seq, e.attachment_id) for e in found.entries] == [(shared[file], file)]
    never = await get(bus, cid, attachment_id=uuid.uuid4().hex)
    assert never.entries == [] and never.conversation.last_seq == shared[files[-1]]


async def test_a_retried_post_is_stored_once_with_the_same_number(bus: Bus, chat: Runtime) -> None:
    cid = await active_chat(bus)
    first = await say(bus, cid, "oi", client_id="c-1")
    again = await say(bus, cid, "oi", client_id="c-1")
    together = await asyncio.gather(*(say(bus, cid, "olá", client_id="c-2") for _ in range(5)))
    assert (again.seq, again.at) == (first.seq, first.at)
    assert len({(ack.seq, ack.at) for ack in together}) == 1
    entries = (await get(bus, cid)).entries
    assert [e.client_id for e in entries if e.kind == "message"] == ["c-1", "c-2"]


async def test_a_frame_leaves_only_after_its_message_is_stored(bus: Bus, chat: Runtime) -> None:
    cid = await active_chat(bus)
    frames = await listen(bus, chat_live_conversation(cid))
    checked: list[int] = []

    async def check(msg: object) -> None:
        # Whoever gets the frame can already read it back: it was persisted (and projected) first.
        entries = (await get(bus, cid)).entries
        checked.append(max(e.seq for e in entries))

    await bus.nc.subscribe(chat_live_conversation(cid), cb=check)
    ack = await say(bus, cid, "chegou?", agent="ana")

    async def arrived() -> bool:
        return bool(frames.of("entry")) and bool(checked)

    await eventually(arrived, what="the entry frame")
    [frame] = frames.of("entry")
    assert frame.entry is not None and (frame.entry.seq, frame.entry.text) == (ack.seq, "chegou?")
    assert checked[0] >= ack.seq


@pytest.mark.parametrize(
    ("author_kind", "author_id", "code", "reason"),
    [
        ("customer", "outra@example.com", "403", "not_a_participant"),
        ("agent", "bia", "403", "not_a_participant"),
        ("system", "system", "403", "not_a_participant"),
    ],
)
async def test_only_the_customer_and_the_agent_may_write(
    bus: Bus, chat: Runtime, author_kind: str, author_id: str, code: str, reason: str
) -> None:
    cid = await active_chat(bus)
    from contracts.chat_commands import ChatMessageAckV1, PostChatMessageV1
    from contracts.subjects import POST_CHAT_MESSAGE_V1

    command = PostChatMessageV1(
        conversation_id=cid, client_id="x", author_kind=author_kind, author_id=author_id, text="oi"
    )
    with pytest.raises(RemoteError) as refused:
        await bus.request(POST_CHAT_MESSAGE_V1, command, ChatMessageAckV1)
    assert (refused.value.code, refused.value.reason) == (code, reason)


async def test_refusals_name_why(bus: Bus, chat: Runtime) -> None:
    dept = department()
    await online(bus, "ana", dept)
    queued = (await start(bus, dept)).conversation.conversation_id
    with pytest.raises(RemoteError) as not_active:
        await say(bus, queued, "alguém?")
    assert (not_active.value.code, not_active.value.reason) == ("409", "not_active")
    for missing in (str(uuid.uuid4()), "not-a-uuid"):
        with pytest.raises(RemoteError) as unknown:
            await say(bus, missing, "oi")
        assert (unknown.value.code, unknown.value.reason) == ("404", "conversation_not_found")
        with pytest.raises(RemoteError) as unknown:
            await get(bus, missing)
        assert unknown.value.code == "404"
    await accept(bus, queued, "ana")
    await close(bus, queued, by_agent="ana")
    with pytest.raises(RemoteError) as ended:
        await say(bus, queued, "ainda aí?")
    assert (ended.value.code, ended.value.reason) == ("409", "conversation_closed")
    assert (await close(bus, queued)).conversation.status == "closed"  # closing twice is no error


async def test_a_transfer_reaches_the_new_agent_or_the_other_queue(bus: Bus, chat: Runtime) -> None:
    cid = await active_chat(bus, "ana")
    inbox = await listen(bus, chat_live_agent("bia"))
    to_bia = TransferChatV1(conversation_id=cid, by_agent_id="ana", to_agent_id="bia", to_agent_name="Bia")
    moved = await bus.request(TRANSFER_CHAT_V1, to_bia, ConversationV1)
    assert moved.conversation.agent_id == "bia" and moved.conversation.status == "active"
    assert [(e.kind, e.agent_id) for e in moved.entries] == [("transferred", "bia")]
    await say(bus, cid, "sou a Bia", agent="bia")

    async def told() -> bool:
        return bool(inbox.of("status"))

    await eventually(told, what="the frame on the new agent's subject")
    finance = department()
    await online(bus, "carla", finance)
    back = TransferChatV1(conversation_id=cid, by_agent_id="bia", to_department=finance)
    queued = await bus.request(TRANSFER_CHAT_V1, back, ConversationV1)
    summary = queued.conversation
    assert (summary.status, summary.department, summary.agent_id, summary.queue_position) == (
        "queued",
        finance,
        None,
        1,
    )
    await accept(bus, cid, "carla")
    assert [e.kind for e in (await get(bus, cid)).entries][-4:] == [
        "transferred",
        "message",
        "transferred",
        "accepted",
    ]


async def test_agents_search_transcripts_and_a_customer_finds_their_past_chats(
    bus: Bus, chat: Runtime, postgres_url: str
) -> None:
    cid = await active_chat(bus)
    await say(bus, cid, "A emissão da nota fiscal falha com erro de certificado")
    await close(bus, cid)
    other = await active_chat(bus)
    await say(bus, other, "Quero mudar meu plano")

    async def search(**fields: object) -> list[str]:
        found = await bus.request(SEARCH_CHATS_V1, SearchChatsV1.model_validate(fields), ConversationListV1)
        return [c.conversation_id for c in found.conversations]

    assert await search(q="emissão certificados") == [cid]  # Portuguese stemming: certificado ~ certificados
    async with await psycopg.AsyncConnection.connect(postgres_url) as conn:
        unaccent = await (
            await conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'unaccent'")
        ).fetchone()
    if unaccent:
        assert await search(q="emissao") == [cid]  # accents ignored where the server has unaccent

    async def indexed() -> bool:  # a message alone does not wait for the views: search follows shortly
        return await search(q="plano") == [other]

    await eventually(indexed, what="the last message in the search index")
    assert set(await search(customer_email=EMAIL)) == {cid, other}
    assert await search(customer_email="ninguem@example.com") == []

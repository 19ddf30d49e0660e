"""Guide 003 through NATS: an agent online, a chat started, queued, accepted, talked through, closed."""

from __future__ import annotations

import uuid

from chat_helpers import EMAIL, accept, close, department, get, listen, online, say, settle, start, stream
from support.waiting import eventually

from contracts.chat_queries import AvailabilityV1, GetAvailabilityV1
from contracts.subjects import CHAT, GET_AVAILABILITY_V1, chat_live_conversation, chat_live_queue
from plumbing.bus import Bus
from plumbing.runtime import Runtime


async def test_a_chat_from_the_start_form_to_the_transcript(bus: Bus, chat: Runtime) -> None:
    dept = department()
    state = await online(bus, "ana", dept)
    assert (state.presence, state.active_chats, state.capacity) == ("online", 0, 3)
    available = await bus.request(GET_AVAILABILITY_V1, GetAvailabilityV1(departments=[dept]), AvailabilityV1)
    assert available.departments[0].agents_online == 1 and available.departments[0].free_slots == 3
    queue_frames = await listen(bus, chat_live_queue(dept))

    started = await start(bus, dept, request_id="form-1")
    summary = started.conversation
    assert summary.status == "queued" and summary.queue_position == 1
    assert summary.estimated_wait_s is not None and summary.customer_email == EMAIL
    assert [(e.seq, e.kind, e.text) for e in started.entries] == [
        (1, "requested", "Não consigo emitir a nota fiscal")
    ]
    cid = summary.conversation_id
    assert (
        await start(bus, dept, request_id="form-1")
    ).conversation.conversation_id == cid  # a retried start
    frames = await listen(bus, chat_live_conversation(cid))

    accepted = await accept(bus, cid, "ana")
    assert accepted.conversation.status == "active" and accepted.conversation.agent_id == "ana"
    assert [(e.seq, e.kind) for e in accepted.entries] == [(2, "accepted")]
    acks = []
    for n in range(3):
        acks.append(await say(bus, cid, f"pergunta {n}"))
        acks.append(await say(bus, cid, f"resposta {n}", agent="ana"))
    assert [ack.seq for ack in acks] == [3, 4, 5, 6, 7, 8]
    closed = await close(bus, cid, transcript=True)
    assert closed.conversation.status == "closed" and [e.kind for e in closed.entries] == ["closed"]

    whole = await get(bus, cid)
    assert [e.seq for e in whole.entries] == list(range(1, 10))
    assert [e.kind for e in whole.entries] == ["requested", "accepted", *["message"] * 6, "closed"]
    assert whole.entries[3].author_kind == "agent" and whole.entries[3].text == "resposta 0"
    assert whole.conversation.last_seq == 9 and whole.conversation.queue_position is None

    async def all_published() -> bool:
        return any(s.endswith(".closed.v1") for s, _ in await stream(bus, CHAT.name, cid))

    await eventually(all_published, what="ChatClosedV1 on the CHAT stream")
    published = await stream(bus, CHAT.name, cid)
    assert [s.split(".")[-2] for s, _ in published] == [
        "requested",
        "accepted",
        *["message-posted"] * 6,
        "closed",
    ]
    closed_fact = published[-1][1]
    assert closed_fact["send_transcript"] is True and closed_fact["messages"] == 6
    assert closed_fact["closed_by"] == "customer" and closed_fact["status"] == "closed"
    assert closed_fact["customer_email"] == EMAIL and closed_fact["agent_id"] == "ana"

    await settle()
    assert [f.entry.seq for f in frames.of("entry") if f.entry] == list(range(2, 10))
    assert [f.conversation.status for f in frames.of("status") if f.conversation][-1] == "closed"
    queues = [f.queue for f in queue_frames.of("queue")]
    assert [[q.conversation_id for q in queue or []] for queue in queues] == [[cid], []]


async def test_a_customer_asking_for_the_transcript_after_the_agent_closed(bus: Bus, chat: Runtime) -> None:
    dept = department()
    await online(bus, "ana", dept)
    cid = (await start(bus, dept)).conversation.conversation_id
    await accept(bus, cid, "ana")
    await say(bus, cid, "obrigada")
    await close(bus, cid, by_agent="ana")
    again = await close(bus, cid, transcript=True)  # the customer clicks Close, asking for the transcript
    assert again.conversation.status == "closed" and again.entries == []

    async def asked() -> bool:
        return any(s.endswith(".transcript-requested.v1") for s, _ in await stream(bus, CHAT.name, cid))

    await eventually(asked, what="ChatTranscriptRequestedV1")
    facts = dict(await stream(bus, CHAT.name, cid))
    assert facts["atende.chat.events.closed.v1"]["send_transcript"] is False
    assert facts["atende.chat.events.transcript-requested.v1"]["messages"] == 1
    assert uuid.UUID(cid)

"""Talking to a running chat service over NATS, as the gateway will: commands, queries, live frames."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from nats.aio.msg import Msg

from chat.bootstrap import bootstrap
from chat.config import Settings
from contracts import Envelope
from contracts.chat import ChatLiveFrameV1, ConversationV1
from contracts.chat_commands import (
    AcceptChatV1,
    ChatMessageAckV1,
    CloseChatV1,
    PostChatMessageV1,
    PresenceStateV1,
    SetPresenceV1,
    StartChatV1,
)
from contracts.chat_queries import GetConversationV1
from contracts.subjects import (
    ACCEPT_CHAT_V1,
    CLOSE_CHAT_V1,
    GET_CONVERSATION_V1,
    POST_CHAT_MESSAGE_V1,
    SET_PRESENCE_V1,
    START_CHAT_V1,
)
from plumbing.bus import Bus
from plumbing.runtime import Runtime

EMAIL = "maria@example.com"


def department() -> str:
    """A department of this test alone (queues and their live subjects are per department)."""
    return f"Suporte {uuid.uuid4().hex[:6]}"


@asynccontextmanager
async def running(nats_url: str, postgres_url: str, **overrides: Any) -> AsyncIterator[Runtime]:
    """A chat service (one replica) on this test's database."""
    settings = Settings(nats_url=nats_url, postgres_url=postgres_url, ops_port=None, **overrides)
    async with bootstrap(settings) as runtime:
        runtime.health.started = True
        yield runtime


@dataclass
class Frames:
    """Live frames received on one subject, in arrival order."""

    received: list[ChatLiveFrameV1] = field(default_factory=list)

    async def on(self, msg: Msg) -> None:
        self.received.append(ChatLiveFrameV1.model_validate(Envelope.from_bytes(msg.data).data))

    def of(self, kind: str) -> list[ChatLiveFrameV1]:
        return [frame for frame in self.received if frame.kind == kind]


async def listen(bus: Bus, subject: str) -> Frames:
    """Collect the frames published on ``subject`` from now on."""
    frames = Frames()
    await bus.nc.subscribe(subject, cb=frames.on)
    await bus.nc.flush()
    return frames


async def online(bus: Bus, agent: str, *departments: str, capacity: int = 3) -> PresenceStateV1:
    command = SetPresenceV1(
        agent_id=agent,
        agent_name=agent.title(),
        presence="online",
        departments=list(departments),
        capacity=capacity,
    )
    return await bus.request(SET_PRESENCE_V1, command, PresenceStateV1)


async def start(bus: Bus, dept: str, request_id: str | None = None, email: str = EMAIL) -> ConversationV1:
    command = StartChatV1(
        request_id=request_id or uuid.uuid4().hex,
        customer_name="Maria",
        customer_email=email,
        question="Não consigo emitir a nota fiscal",
        department=dept,
    )
    return await bus.request(START_CHAT_V1, command, ConversationV1)


async def accept(bus: Bus, conversation: str, agent: str) -> ConversationV1:
    command = AcceptChatV1(conversation_id=conversation, agent_id=agent, agent_name=agent.title())
    return await bus.request(ACCEPT_CHAT_V1, command, ConversationV1)


async def say(
    bus: Bus,
    conversation: str,
    text: str | None,
    *,
    agent: str | None = None,
    client_id: str | None = None,
    attachment_id: str | None = None,
) -> ChatMessageAckV1:
    command = PostChatMessageV1(
        conversation_id=conversation,
        client_id=client_id or uuid.uuid4().hex,
        author_kind="agent" if agent else "customer",
        author_id=agent or EMAIL,
        author_name=agent.title() if agent else "Maria",
        text=text,
        attachment_id=attachment_id,
    )
    return await bus.request(POST_CHAT_MESSAGE_V1, command, ChatMessageAckV1)


async def close(
    bus: Bus, conversation: str, *, by_agent: str | None = None, transcript: bool = False
) -> ConversationV1:
    command = CloseChatV1(
        conversation_id=conversation,
        by_kind="agent" if by_agent else "customer",
        by_id=by_agent or EMAIL,
        send_transcript=transcript,
    )
    return await bus.request(CLOSE_CHAT_V1, command, ConversationV1)


async def get(
    bus: Bus, conversation: str, after_seq: int = 0, *, entries: bool = True, attachment_id: str | None = None
) -> ConversationV1:
    query = GetConversationV1(
        conversation_id=conversation, after_seq=after_seq, entries=entries, attachment_id=attachment_id
    )
    return await bus.request(GET_CONVERSATION_V1, query, ConversationV1)


async def stream(bus: Bus, name: str, conversation: str | None = None) -> list[tuple[str, dict[str, Any]]]:
    """(subject, data) of every message on a stream, optionally only those about one conversation."""
    info = await bus.js.stream_info(name)
    found = []
    if info.state.messages:
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            raw = await bus.js.get_msg(name, seq)
            assert raw.data is not None
            data = Envelope.from_bytes(raw.data).data
            if conversation is None or conversation in (data.get("conversation_id"), data.get("source_ref")):
                found.append((raw.subject or "", data))
    return found


async def settle() -> None:
    """Let frames already published arrive."""
    await asyncio.sleep(0.1)

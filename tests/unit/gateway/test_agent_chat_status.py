"""Which chats an agent's socket holds as chat's status frames arrive, late or out of order included."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, cast

from starlette.websockets import WebSocket

from contracts.chat import ChatLiveFrameV1, ConversationStatus, ConversationSummary
from contracts.subjects import chat_live_conversation
from gateway.chat.agent import AgentSession
from gateway.chat.sessions import Limits
from gateway.domain.principal import Principal
from plumbing.bus import Bus


class Hub:
    """Records the live subjects the socket joins and leaves."""

    def __init__(self) -> None:
        self.subjects: set[str] = set()

    async def join(self, subject: str, link: object) -> None:
        self.subjects.add(subject)

    async def leave(self, subject: str, link: object) -> None:
        self.subjects.discard(subject)


def status(state: ConversationStatus, last_seq: int, agent_id: str | None = None) -> ChatLiveFrameV1:
    values: dict[str, Any] = {
        "conversation_id": "c1",
        "status": state,
        "department": "Suporte",
        "customer_email": "rita@example.com",
        "customer_name": "Rita",
        "question": "Oi",
        "requested_at": datetime(2026, 11, 22, tzinfo=UTC),
        "last_seq": last_seq,
        "agent_id": agent_id,
    }
    summary = ConversationSummary.model_validate(values)
    return ChatLiveFrameV1(conversation_id="c1", kind="status", conversation=summary)


def agent_session() -> tuple[AgentSession, Hub]:
    hub = Hub()
    websocket = cast(WebSocket, SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(chat_hub=hub))))
    me = Principal("ana", "agent", "ana@example.com", "Ana", True, ("Suporte",))
    return AgentSession(cast(Bus, None), websocket, "pt-BR", Limits(), me, accounts=cast(Any, None)), hub


async def settle() -> None:
    for _ in range(3):  # the socket joins and leaves subjects in tasks of their own
        await asyncio.sleep(0)


async def test_a_place_in_the_queue_computed_before_the_accept_does_not_take_the_chat_away() -> None:
    session, hub = agent_session()
    session.render(status(ConversationStatus.ACTIVE, 2, agent_id="ana"))  # accepted
    await settle()
    late = session.render(status(ConversationStatus.QUEUED, 1))  # the queue as it was before
    await settle()
    assert late is None
    assert session.mine == {"c1"}
    assert hub.subjects == {chat_live_conversation("c1")}


async def test_a_chat_transferred_to_a_department_or_closed_leaves_the_agent() -> None:
    session, hub = agent_session()
    session.render(status(ConversationStatus.ACTIVE, 2, agent_id="ana"))
    await settle()
    moved = session.render(status(ConversationStatus.QUEUED, 3))  # transferred back to the queue
    await settle()
    assert moved is not None and moved["type"] == "status"
    assert session.mine == set()
    assert hub.subjects == set()
    session.render(status(ConversationStatus.ACTIVE, 4, agent_id="ana"))  # taken again
    session.render(status(ConversationStatus.CLOSED, 5, agent_id="ana"))
    await settle()
    assert session.mine == set()


async def test_a_chat_taken_by_another_agent_is_not_followed() -> None:
    session, _ = agent_session()
    session.render(status(ConversationStatus.ACTIVE, 2, agent_id="bia"))
    await settle()
    assert session.mine == set()

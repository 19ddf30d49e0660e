"""A closed chat socket is freed when it closes, not left to the cyclic garbage collector.

Each socket's session held its link, whose ``render`` was the session's own method: a cycle. So every
closed socket's session, with its WebSocket, uvicorn protocol, transport and compression buffers
(about 96 objects, tens of KB), waited for a full collection: under the mixed soak, before gc.freeze,
hundreds of closed chats, and the gateway's RSS grew ~0.9 MB/min.

Real NATS, PostgreSQL, the chat service and the gateway in this process; the collector is off while the
chats run, so only reference counting can free what they leave.
"""

from __future__ import annotations

import asyncio
import gc
import json
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from support.accounts import PASSWORD
from support.waiting import eventually
from websockets.asyncio.client import ClientConnection, connect

from chat.bootstrap import bootstrap as chat_bootstrap
from chat.config import Settings as ChatSettings
from devstack.procs import free_port
from gateway.accounts import staff
from gateway.bootstrap import bootstrap as gateway_bootstrap
from gateway.chat.live import Link
from gateway.chat.sessions import Session
from gateway.config import Settings as GatewaySettings

CHATS = 5


@dataclass
class Front:
    """The gateway in front of the chat service, and its accounts (to create the agent)."""

    url: str
    accounts: Any

    def ws(self, path: str) -> str:
        return self.url.replace("http://", "ws://") + path


@pytest.fixture
async def front(nats_url: str, postgres_url: str) -> AsyncIterator[Front]:
    port = free_port()
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(
            chat_bootstrap(ChatSettings(nats_url=nats_url, postgres_url=postgres_url, ops_port=None))
        )
        settings = GatewaySettings(
            nats_url=nats_url,
            postgres_url=postgres_url,
            ops_port=None,
            http_port=port,
            dev_mode=True,
            cookie_secure=False,
            chat_secret="memory-test-secret",
        )
        gateway = await stack.enter_async_context(gateway_bootstrap(settings))
        yield Front(f"http://127.0.0.1:{port}", gateway.accounts)


async def agent_token(front: Front) -> str:
    await staff.create(front.accounts, "ana@example.com", "Ana", "agent", ["Suporte"], PASSWORD)
    async with httpx.AsyncClient(base_url=front.url) as client:
        session = await client.post(
            "/api/v1/session", json={"email": "ana@example.com", "password": PASSWORD}
        )
        issued = await client.post(
            "/api/v1/tokens", json={"name": "console"}, headers={"X-CSRF-Token": session.json()["csrf_token"]}
        )
        return str(issued.json()["token"])


async def frame(ws: ClientConnection, wanted: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """The next frame ``wanted`` accepts (others are skipped)."""
    async with asyncio.timeout(30):
        while True:
            got: dict[str, Any] = json.loads(await ws.recv())
            if wanted(got):
                return got


def of(kind: str, **fields: Any) -> Callable[[dict[str, Any]], bool]:
    return lambda f: f.get("type") == kind and all(f.get(k) == v for k, v in fields.items())


def sockets_alive() -> int:
    """Sessions and links in memory, counted without collecting (what reference counting kept)."""
    # By type, not isinstance: a dead weak proxy among the objects raises on isinstance.
    return sum(issubclass(type(o), Session | Link) for o in gc.get_objects())


async def chat(front: Front, agent: ClientConnection, n: int) -> None:
    """A whole chat: started, accepted, a message each way, closed by the agent, its socket closed."""
    form = {
        "name": "Rita",
        "email": f"rita{n}@example.com",
        "question": "O painel caiu",
        "department": "Suporte",
    }
    async with httpx.AsyncClient(base_url=front.url) as client:
        started = await client.post("/api/v1/chat/conversations", json=form)
    assert started.status_code == 201, started.text
    conversation_id = started.json()["conversation"]["conversation_id"]
    await agent.send(json.dumps({"type": "accept", "conversation_id": conversation_id}))
    await frame(
        agent, lambda f: of("accepted")(f) and f["conversation"]["conversation_id"] == conversation_id
    )
    async with connect(front.ws(f"/api/v1/chat/socket?token={started.json()['resume_token']}")) as customer:
        await frame(customer, of("conversation"))
        await customer.send(json.dumps({"type": "message", "client_id": "c1", "text": "Olá"}))
        await frame(agent, of("entry", conversation_id=conversation_id))
        reply = {"type": "message", "client_id": "a1", "text": "Oi!", "conversation_id": conversation_id}
        await agent.send(json.dumps(reply))
        await frame(customer, of("entry"))
        await agent.send(json.dumps({"type": "close", "conversation_id": conversation_id}))
        await frame(customer, lambda f: of("status")(f) and f["conversation"]["status"] == "closed")


async def test_closed_customer_and_agent_sockets_are_freed_without_the_cyclic_collector(front: Front) -> None:
    token = await agent_token(front)
    gc.collect()
    baseline = sockets_alive()
    gc.disable()
    try:
        agent_ws = front.ws("/api/v1/agent/chats/socket")
        async with connect(agent_ws, additional_headers={"Authorization": f"Bearer {token}"}) as agent:
            await frame(agent, of("hello"))
            await agent.send(json.dumps({"type": "presence", "presence": "online", "capacity": 2}))
            await frame(agent, of("presence"))
            for n in range(CHATS):
                await chat(front, agent, n)
            assert sockets_alive() > baseline, "the agent's socket is still open"
        # Each socket's handler ends a moment after its client closed; then nothing of it may remain.
        await eventually(lambda: sockets_alive() == baseline, what="closed sockets' sessions and links freed")
    finally:
        gc.enable()

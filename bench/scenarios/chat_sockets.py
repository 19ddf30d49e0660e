"""Live chat latency: customer socket → gateway → NATS → chat (stored) → NATS → gateway → agent socket.

Each conversation has both sides sending one message a second; a message counts when the other
side's socket shows it. The chat and gateway services run as deployed (separate processes,
PYTHONOPTIMIZE=1); the sockets of both sides are held by this process, which shares the machine's
two cores with them.
"""

from __future__ import annotations

import asyncio
import json
import random
from contextlib import AsyncExitStack
from time import perf_counter_ns
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from bench.processes import services
from bench.scenarios import BenchContext, Sample, scenario
from devstack.procs import free_port

PASSWORD = "bench password 123"  # noqa: S105 (throwaway accounts of a throwaway database)
CAPACITY = 20  # chats per agent (the most SetPresence allows)
SECONDS = 20
WARMUP_S = 3.0


def _settings(http_port: int) -> dict[str, dict[str, str]]:
    """chat, then the gateway in front of it (flood limits out of the way: this is a load test)."""
    gateway = {
        "HTTP_PORT": str(http_port),
        "DEV_MODE": "true",
        "COOKIE_SECURE": "false",
        "CHAT_SECRET": "bench-secret",
        "CHAT_MESSAGES_BURST": "100",
        "CHAT_MESSAGES_PER_S": "100",
        "RATE_LIMITS": "false",  # hundreds of chats started from one IP
    }
    return {"chat": {}, "gateway": gateway}


async def _agent_tokens(url: str, gateway_db: str, count: int) -> list[str]:
    """``count`` agents of Suporte (created as the staff CLI does), each with an API token."""
    from gateway.accounts import staff
    from gateway.accounts.service import Accounts
    from gateway.config import Settings
    from plumbing.postgres import open_pool

    async with open_pool(gateway_db) as pool:
        accounts = Accounts(pool, Settings(postgres_url=gateway_db))
        for n in range(count):
            await staff.create(
                accounts, f"agente{n}@example.com", f"Agente {n}", "agent", ["Suporte"], PASSWORD
            )
    tokens = []
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        for n in range(count):
            session = await client.post(
                "/api/v1/session", json={"email": f"agente{n}@example.com", "password": PASSWORD}
            )
            issued = await client.post(
                "/api/v1/tokens",
                json={"name": "bench"},
                headers={"X-CSRF-Token": session.json()["csrf_token"]},
            )
            tokens.append(str(issued.json()["token"]))
            client.cookies.clear()
    return tokens


async def _next(ws: ClientConnection, kind: str) -> dict[str, Any]:
    while True:
        frame: dict[str, Any] = json.loads(await ws.recv())
        if frame.get("type") == kind:
            return frame


async def _run(ctx: BenchContext, conversations: int) -> Sample:
    latencies: list[int] = []
    received = 0
    http_port = free_port()
    async with services(ctx, _settings(http_port)) as running, AsyncExitStack() as sockets:
        url, gateway_db = f"http://127.0.0.1:{http_port}", running.databases["gateway"]
        ws_url = url.replace("http://", "ws://")
        agents = []
        for token in await _agent_tokens(url, gateway_db, -(-conversations // CAPACITY)):
            ws = await sockets.enter_async_context(
                connect(
                    f"{ws_url}/api/v1/agent/chats/socket",
                    additional_headers={"Authorization": f"Bearer {token}"},
                    max_queue=None,
                )
            )
            await _next(ws, "hello")
            await ws.send(json.dumps({"type": "presence", "presence": "online", "capacity": CAPACITY}))
            await _next(ws, "presence")
            agents.append(ws)
        pairs: list[tuple[str, ClientConnection, ClientConnection]] = []
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            for n in range(conversations):
                started = await client.post(
                    "/api/v1/chat/conversations",
                    json={
                        "name": f"Cliente {n}",
                        "email": f"c{n}@example.com",
                        "question": "Oi",
                        "department": "Suporte",
                    },
                )
                body = started.json()
                conversation_id = body["conversation"]["conversation_id"]
                agent = agents[n // CAPACITY]
                await agent.send(json.dumps({"type": "accept", "conversation_id": conversation_id}))
                customer = await sockets.enter_async_context(
                    connect(f"{ws_url}/api/v1/chat/socket?token={body['resume_token']}", max_queue=None)
                )
                await _next(customer, "conversation")
                pairs.append((conversation_id, customer, agent))
        measuring = False

        async def listen(ws: ClientConnection, other: str) -> None:
            """Counts what the other side sent (each side also sees its own messages come back)."""
            nonlocal received
            async for raw in ws:
                frame = json.loads(raw)
                entry = frame.get("entry") or {}
                if (
                    frame.get("type") == "entry"
                    and entry.get("kind") == "message"
                    and entry["author_kind"] == other
                ):
                    sent = int(frame["entry"]["text"].split(":", 1)[0])
                    if measuring:
                        latencies.append(perf_counter_ns() - sent)
                        received += 1

        async def talk(conversation_id: str, ws: ClientConnection, agent: bool, stop: float) -> None:
            await asyncio.sleep(random.random())  # spread the senders over the second
            n = 0
            while perf_counter_ns() < stop:
                frame = {
                    "type": "message",
                    "client_id": f"{'a' if agent else 'c'}{n}",
                    "text": f"{perf_counter_ns()}:oi",
                }
                if agent:
                    frame["conversation_id"] = conversation_id
                await ws.send(json.dumps(frame))
                n += 1
                await asyncio.sleep(1.0)

        listeners = [asyncio.create_task(listen(ws, "customer")) for ws in agents]
        listeners += [asyncio.create_task(listen(c, "agent")) for _, c, _ in pairs]
        stop = perf_counter_ns() + int((WARMUP_S + ctx.count(SECONDS, 5)) * 1e9)
        talkers = [
            asyncio.create_task(talk(cid, ws, side, stop))
            for cid, c, a in pairs
            for ws, side in ((c, False), (a, True))
        ]
        await asyncio.sleep(WARMUP_S)
        measuring, start = True, perf_counter_ns()
        await asyncio.gather(*talkers)
        await asyncio.sleep(0.5)  # the last messages in flight
        elapsed = perf_counter_ns() - start
        for task in listeners:
            task.cancel()
    return Sample(received, elapsed / 1e9, latencies, {"conversations": conversations, "agents": len(agents)})


@scenario("chat_sockets_200", unit="messages", baseline="nats_rtt")
async def chat_sockets_200(ctx: BenchContext) -> Sample:
    """200 conversations, each side 1 msg/s, socket to socket, stored (target p99 ≤ 10 ms)."""
    return await _run(ctx, ctx.count(200, 20))


@scenario("chat_sockets_1000", unit="messages", baseline="nats_rtt")
async def chat_sockets_1000(ctx: BenchContext) -> Sample:
    """1,000 conversations, each side 1 msg/s, socket to socket, stored (target p99 ≤ 25 ms)."""
    return await _run(ctx, ctx.count(1000, 40))

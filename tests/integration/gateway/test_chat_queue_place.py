"""A waiting customer's place moves live, told on their own conversation's subject: the gateway never
hands each waiting customer the whole queue. Real NATS, PostgreSQL and the chat service."""

from __future__ import annotations

import json

import httpx
from test_chat_sockets import Gateways, agent_token, frame, gateways, of, start_chat  # noqa: F401 (the fixture)
from websockets.asyncio.client import connect


async def test_a_waiting_customers_place_moves_when_the_one_ahead_is_taken(gateways: Gateways) -> None:  # noqa: F811
    token = await agent_token(gateways, "ana@example.com", "Suporte")
    agent_ws = gateways.ws(1, "/api/v1/agent/chats/socket")
    async with connect(agent_ws, additional_headers={"Authorization": f"Bearer {token}"}) as agent:
        await frame(agent, of("hello"))
        await agent.send(json.dumps({"type": "presence", "presence": "online", "capacity": 1}))
        await frame(agent, of("presence"))
        ahead = (await start_chat(gateways.urls[0], "Primeira")).json()
        async with httpx.AsyncClient(base_url=gateways.urls[0]) as client:
            second = {
                "name": "Caio",
                "email": "caio@example.com",
                "question": "Segunda",
                "department": "Suporte",
            }
            behind = (await client.post("/api/v1/chat/conversations", json=second)).json()
        customer_ws = gateways.ws(0, f"/api/v1/chat/socket?token={behind['resume_token']}")
        async with connect(customer_ws) as customer:
            opened = await frame(customer, of("conversation"))
            assert opened["conversation"]["queue_position"] == 2
            taken = ahead["conversation"]["conversation_id"]
            await agent.send(json.dumps({"type": "accept", "conversation_id": taken}))
            assert (await frame(agent, of("accepted")))["conversation"]["conversation_id"] == taken
            moved = await frame(customer, of("queue", position=1))
            assert set(moved) == {"type", "position", "estimated_wait_s"}, "their place, nobody else's"

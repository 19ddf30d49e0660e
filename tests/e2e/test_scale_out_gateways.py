"""Two gateways in front of two tickets and two chat replicas, as processes, used only over HTTP and WebSockets.

A customer's requests land on either gateway and either backend replica and come out the same;
a chat's two sides sit on different gateways (frames travel over NATS); and when the customer's
gateway dies (SIGKILL) the customer resumes on the other one and gets exactly what it missed.
(Tickets and chat alone, over NATS: tests/e2e/test_scale_out.py.)
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections import Counter
from collections.abc import AsyncIterator, Callable
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from support import infra
from support.accounts import PASSWORD, token_of
from support.replicas import Replica, end, launch, ready
from support.sockets import FrameReader
from support.waiting import eventually
from websockets.asyncio.client import connect

from devstack.nats import NatsServer
from devstack.services import spec_named

pytestmark = pytest.mark.e2e
CUSTOMER, AGENT = "paula@example.com", "ana@example.com"
Frame = dict[str, Any]


@pytest.fixture
async def fleet(
    own_nats: NatsServer, servers: infra.Session, tmp_path: Path
) -> AsyncIterator[dict[str, Replica]]:
    """tickets-1/2 and chat-1/2, each pair on one database; gateway-a/b on one, with one chat secret."""
    shared = secrets.token_hex(8)
    replicas: dict[str, Replica] = {}
    for service, names in (("tickets", ("1", "2")), ("chat", ("1", "2")), ("gateway", ("a", "b"))):
        spec = spec_named(service)
        database = servers.database(spec.module)
        # DEV_MODE comes with the spec's dev settings: sign-up answers carry the verification link.
        env = {spec.env_prefix + "CHAT_SECRET": shared, spec.env_prefix + "FILES_TOKEN": shared}
        for n in names:
            name = f"{service}-{n}"
            replicas[name] = launch(spec, name, own_nats.url, database, tmp_path, env=env)
    try:
        for replica in replicas.values():
            await eventually(partial(ready, replica), timeout=60, what=f"{replica.name} ready")
        yield replicas
    finally:
        end(list(replicas.values()))


class Reader(FrameReader):
    """Every frame one socket receives, in order, read in the background (so none goes unseen)."""

    async def first(self, wanted: Callable[[Frame], bool], what: str) -> Frame:
        """The first frame ``wanted`` accepts (waits for it)."""
        await eventually(lambda: any(wanted(f) for f in self.frames), timeout=10, what=what)
        return next(f for f in self.frames if wanted(f))

    def messages(self) -> list[tuple[int, str]]:
        """(seq, text) of every message entry received live, in arrival order."""
        return [
            (f["entry"]["seq"], f["entry"]["text"])
            for f in self.frames
            if f.get("type") == "entry" and f["entry"]["kind"] == "message"
        ]

    async def send(self, **frame: Any) -> None:
        await self.socket.send(json.dumps(frame))


def of(kind: str, **fields: Any) -> Callable[[Frame], bool]:
    return lambda f: f.get("type") == kind and all(f.get(k) == v for k, v in fields.items())


def message(text: str) -> Callable[[Frame], bool]:
    return lambda f: f.get("type") == "entry" and f["entry"].get("text") == text


async def bearer(client: httpx.AsyncClient, email: str) -> str:
    """An API token of a verified account (a session first: tokens are issued to a logged-in person)."""
    session = await client.post("/api/v1/session", json={"email": email, "password": PASSWORD})
    assert session.status_code == 200, session.text
    issued = await client.post(
        "/api/v1/tokens", json={"name": "scale"}, headers={"X-CSRF-Token": session.json()["csrf_token"]}
    )
    assert issued.status_code == 201, issued.text
    return str(issued.json()["token"])


async def customer_token(gateway: Replica) -> str:
    """Sign up and verify on ``gateway`` (dev mode: the link is in the answer); the customer's token."""
    async with httpx.AsyncClient(base_url=gateway.url, timeout=30) as client:
        signed = await client.post(
            "/api/v1/accounts", json={"name": "Paula", "email": CUSTOMER, "password": PASSWORD}
        )
        assert signed.status_code == 202, signed.text
        token = token_of(signed.json()["dev_verification_url"])
        assert (await client.post("/api/v1/accounts/verify", json={"token": token})).status_code == 204
        return await bearer(client, CUSTOMER)


async def agent_token(gateway: Replica) -> str:
    """An agent of Suporte created by the operator's command, and its token."""
    args = ("staff", "create", "--email", AGENT, "--name", "Ana", "--role", "agent")
    created = gateway.command(*args, "--department", "Suporte", "--password-stdin", stdin=PASSWORD)
    assert created.returncode == 0, created.stderr
    async with httpx.AsyncClient(base_url=gateway.url, timeout=30) as client:
        return await bearer(client, AGENT)


async def test_two_gateways_serve_one_customer_and_a_chat_across_them_survives_a_kill_9(
    fleet: dict[str, Replica],
) -> None:
    a, b = fleet["gateway-a"], fleet["gateway-b"]
    customer = {"Authorization": f"Bearer {await customer_token(a)}"}
    http = {g.name: httpx.AsyncClient(base_url=g.url, headers=customer, timeout=30) for g in (a, b)}
    sockets: list[Reader] = []

    async def socket(gateway: Replica, path: str, **headers: str) -> Reader:
        url = gateway.url.replace("http://", "ws://") + path
        sockets.append(Reader(await connect(url, additional_headers=headers)))
        return sockets[-1]

    try:
        # Tickets, opened alternately through A and B, listed on both.
        opened = []
        for n in range(12):
            answer = await http[(a, b)[n % 2].name].post(
                "/api/v1/tickets",
                json={"subject": f"Pedido {n}", "description": "Preciso de ajuda.", "department": "Suporte"},
                headers={"Idempotency-Key": f"scale-{n}"},
            )
            assert answer.status_code == 201, answer.text
            opened.append(answer.json()["id"])
        lists = {}
        for name, client in http.items():
            page = (await client.get("/api/v1/tickets", params={"limit": "200"})).json()
            lists[name] = [t["id"] for t in page["tickets"]]
            assert page["total"] == 12 and sorted(lists[name]) == sorted(opened), name
        # As one replica answers: every ticket once, latest first, whichever gateway is asked.
        assert lists["gateway-a"] == lists["gateway-b"] == opened[::-1]
        opens = [await g.http_requests("POST", "/api/v1/tickets") for g in (a, b)]
        assert opens == [6, 6], f"each gateway opened its half: {opens}"
        answered = [await fleet[f"tickets-{n}"].requests_served() for n in (1, 2)]
        assert all(count > 0 for count in answered), f"both tickets replicas answered: {answered}"

        # A chat: the agent on B, the customer on A.
        agent_headers = {"Authorization": f"Bearer {await agent_token(b)}"}
        agent = await socket(b, "/api/v1/agent/chats/socket", **agent_headers)
        await agent.first(of("hello"), "the agent's hello")
        await agent.send(type="presence", presence="online", capacity=2)
        await agent.first(of("presence", presence="online"), "the agent online")
        form = {"name": "Paula", "email": CUSTOMER, "question": "O boleto não abre", "department": "Suporte"}
        started = await http[a.name].post("/api/v1/chat/conversations", json=form)
        assert started.status_code == 201, started.text
        conversation_id = started.json()["conversation"]["conversation_id"]
        token = started.json()["resume_token"]
        on_a = await socket(a, f"/api/v1/chat/socket?token={token}")
        await on_a.first(of("conversation"), "the customer's conversation on A")

        await agent.send(type="accept", conversation_id=conversation_id)
        await agent.first(of("accepted"), "the accept on B")
        await on_a.first(lambda f: of("status")(f) and f["conversation"]["status"] == "active", "active on A")
        await on_a.send(type="message", client_id="c1", text="Olá, o boleto não abre")
        ack = await on_a.first(of("ack", client_id="c1"), "the customer's ack")
        heard = await agent.first(message("Olá, o boleto não abre"), "customer → agent (A → B)")
        assert heard["entry"]["seq"] == ack["seq"]
        await agent.send(
            type="message", client_id="a1", text="Qual o número do pedido?", conversation_id=conversation_id
        )
        said = await on_a.first(message("Qual o número do pedido?"), "agent → customer (B → A)")
        assert said["entry"]["seq"] == ack["seq"] + 1
        await on_a.send(type="message", client_id="c2", text="É o 1042")
        await agent.first(message("É o 1042"), "the customer's second message on B")
        starts = [await g.http_requests("POST", "/api/v1/chat/conversations") for g in (a, b)]
        assert starts == [1, 0], f"the chat started on A only: {starts}"

        # Gateway A is lost: the customer's socket drops; the agent writes meanwhile.
        last_seq = max(seq for seq, _ in on_a.messages())
        a.kill()
        await eventually(lambda: on_a.dropped is not None, timeout=10, what="the customer's socket dropped")
        assert on_a.dropped is not None and on_a.dropped.rcvd is None, "gone without a close frame"
        await agent.send(type="message", client_id="a2", text="Ainda aí?", conversation_id=conversation_id)
        await agent.first(of("ack", client_id="a2"), "the agent's message stored while the customer is away")
        # The widget's way back: its resume token (signed with the shared secret) and the last seq it saw.
        on_b = await socket(b, f"/api/v1/chat/socket?token={token}&after_seq={last_seq}")
        back = await on_b.first(of("conversation"), "the customer back on B")
        gap = [(e["seq"], e["text"]) for e in back["entries"] if e["kind"] == "message"]
        assert gap == [(last_seq + 1, "Ainda aí?")], back["entries"]
        await on_b.send(type="message", client_id="c3", text="Sim, estou aqui")
        await agent.first(message("Sim, estou aqui"), "the customer on B heard by the agent")
        await agent.send(type="message", client_id="a3", text="Resolvido!", conversation_id=conversation_id)
        await on_b.first(message("Resolvido!"), "the agent heard on B")

        # Nothing twice, nothing lost: each side's live messages, and the customer's whole view.
        await asyncio.sleep(0.5)  # a duplicate would be on its way by now
        for reader in (agent, on_b):
            await reader.close()
        customer_saw = on_a.messages() + gap + on_b.messages()
        for seen in (agent.messages(), customer_saw):
            assert max(Counter(seq for seq, _ in seen).values()) == 1, seen
        texts = [
            "Olá, o boleto não abre",
            "Qual o número do pedido?",
            "É o 1042",
            "Ainda aí?",
            "Sim, estou aqui",
            "Resolvido!",
        ]
        assert [text for _, text in sorted(agent.messages())] == texts
        assert [text for _, text in sorted(customer_saw)] == texts

        # The same results as one replica: B (alone now) lists the same tickets and tells the same chat.
        page = (await http[b.name].get("/api/v1/tickets", params={"limit": "200"})).json()
        assert [t["id"] for t in page["tickets"]] == lists["gateway-b"]
        mine = await http[b.name].get(f"/api/v1/chat/conversations/{conversation_id}")
        assert mine.status_code == 200, mine.text
        transcript = [(e["seq"], e["text"]) for e in mine.json()["entries"] if e["kind"] == "message"]
        assert transcript == sorted(customer_saw)
        async with httpx.AsyncClient(base_url=b.url, headers=agent_headers) as console:
            staff_view = (await console.get(f"/api/v1/agent/chats/{conversation_id}")).json()
        assert [(e["seq"], e["text"]) for e in staff_view["entries"] if e["kind"] == "message"] == transcript
        seqs = [e["seq"] for e in mine.json()["entries"]]
        assert seqs == list(range(1, len(seqs) + 1)), "numbered from 1 without gaps"
        answered = [await fleet[f"chat-{n}"].requests_served() for n in (1, 2)]
        assert all(count > 0 for count in answered), f"both chat replicas answered: {answered}"
    finally:
        for client in http.values():
            await client.aclose()
        for reader in sockets:
            await reader.close()

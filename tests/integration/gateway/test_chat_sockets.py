"""Guide 003's chat through the gateway's WebSockets, on real NATS and PostgreSQL with the chat service.

Two gateway replicas serve the two sides (customer on one, agent on the other): messages travel
over NATS, so either replica serves either socket.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from support import infra
from support.accounts import PASSWORD
from support.samples import accepted
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from chat.bootstrap import bootstrap as chat_bootstrap
from chat.config import Settings as ChatSettings
from devstack.procs import free_port
from files.bootstrap import bootstrap as files_bootstrap
from files.config import Settings as FilesSettings
from gateway.accounts import staff
from gateway.bootstrap import bootstrap as gateway_bootstrap
from gateway.config import Settings as GatewaySettings

SECRET = "chat-test-secret"


@dataclass
class Gateways:
    """Two gateway replicas in front of one chat service."""

    urls: list[str]
    accounts: Any

    def ws(self, replica: int, path: str) -> str:
        return self.urls[replica].replace("http://", "ws://") + path


@pytest.fixture
async def gateways(nats_url: str, postgres_url: str, s3: infra.S3) -> AsyncIterator[Gateways]:
    ports, files_port = [free_port(), free_port()], free_port()
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(
            chat_bootstrap(ChatSettings(nats_url=nats_url, postgres_url=postgres_url, ops_port=None))
        )
        files = FilesSettings(
            nats_url=nats_url,
            postgres_url=postgres_url,
            ops_port=None,
            internal_port=files_port,
            internal_token=SECRET,
            s3_endpoint=s3.endpoint,
            s3_access_key=s3.access_key,
            s3_secret_key=s3.secret_key,
            s3_bucket=f"chat-{files_port}",
        )
        await stack.enter_async_context(files_bootstrap(files))
        fronts = [
            await stack.enter_async_context(
                gateway_bootstrap(
                    GatewaySettings(
                        nats_url=nats_url,
                        postgres_url=postgres_url,
                        ops_port=None,
                        http_port=port,
                        dev_mode=True,
                        cookie_secure=False,
                        chat_secret=SECRET,
                        files_url=f"http://127.0.0.1:{files_port}",
                        files_token=SECRET,
                        chat_messages_burst=5,
                        chat_messages_per_s=0.01,  # no refill to speak of: the flood test counts exactly
                    )
                )
            )
            for port in ports
        ]
        yield Gateways([f"http://127.0.0.1:{port}" for port in ports], fronts[0].accounts)


async def agent_token(gateways: Gateways, email: str, *departments: str) -> str:
    name = email.split("@")[0].title()  # ana@… is "Ana", beto@… "Beto"
    await staff.create(gateways.accounts, email, name, "agent", list(departments), PASSWORD)
    async with httpx.AsyncClient(base_url=gateways.urls[0]) as client:
        session = await client.post("/api/v1/session", json={"email": email, "password": PASSWORD})
        issued = await client.post(
            "/api/v1/tokens", json={"name": "console"}, headers={"X-CSRF-Token": session.json()["csrf_token"]}
        )
        return str(issued.json()["token"])


async def frame(
    ws: ClientConnection, wanted: Callable[[dict[str, Any]], bool], timeout: float = 10
) -> dict[str, Any]:
    """The next frame ``wanted`` accepts (others are skipped)."""
    async with asyncio.timeout(timeout):
        while True:
            got = json.loads(await ws.recv())
            if wanted(got):
                return got


def of(kind: str, **fields: Any) -> Callable[[dict[str, Any]], bool]:
    return lambda f: f.get("type") == kind and all(f.get(k) == v for k, v in fields.items())


def entry(kind: str) -> Callable[[dict[str, Any]], bool]:
    return lambda f: f.get("type") == "entry" and f["entry"]["kind"] == kind


async def start_chat(url: str, question: str = "Não consigo acessar o painel") -> httpx.Response:
    async with httpx.AsyncClient(base_url=url) as client:
        return await client.post(
            "/api/v1/chat/conversations",
            json={"name": "Rita", "email": "rita@example.com", "question": question, "department": "Suporte"},
        )


async def test_guide_003_chat_from_start_to_close_across_two_gateways(gateways: Gateways) -> None:
    token = await agent_token(gateways, "ana@example.com", "Suporte")
    agent_ws = gateways.ws(1, "/api/v1/agent/chats/socket")
    async with connect(agent_ws, additional_headers={"Authorization": f"Bearer {token}"}) as agent:
        hello = await frame(agent, of("hello"))
        assert hello["departments"] == ["Suporte"] and hello["chats"] == []
        await agent.send(json.dumps({"type": "presence", "presence": "online", "capacity": 2}))
        assert (await frame(agent, of("presence")))["presence"] == "online"

        started = await start_chat(gateways.urls[0])
        assert started.status_code == 201, started.text
        body = started.json()
        conversation_id = body["conversation"]["conversation_id"]
        assert body["conversation"]["status"] == "queued"
        assert "agent_id" not in body["conversation"] and "customer_email" not in body["conversation"]
        queued = await frame(agent, of("queue"))
        assert [c["conversation_id"] for c in queued["queue"]] == [conversation_id]

        customer_ws = gateways.ws(0, f"/api/v1/chat/socket?token={body['resume_token']}")
        async with connect(customer_ws) as customer:
            opened = await frame(customer, of("conversation"))
            assert opened["conversation"]["queue_position"] == 1
            assert [e["kind"] for e in opened["entries"]] == ["requested"]

            await agent.send(json.dumps({"type": "accept", "conversation_id": conversation_id}))
            accepted = await frame(agent, of("accepted"))
            assert accepted["conversation"]["status"] == "active"
            status = await frame(customer, of("status"))
            assert (
                status["conversation"]["status"] == "active" and status["conversation"]["agent_name"] == "Ana"
            )

            await customer.send(json.dumps({"type": "typing"}))
            assert (await frame(agent, of("typing")))["conversation_id"] == conversation_id
            await customer.send(
                json.dumps({"type": "message", "client_id": "c1", "text": "Olá, o painel caiu"})
            )
            ack = await frame(customer, of("ack", client_id="c1"))
            got = await frame(agent, entry("message"))
            assert got["entry"]["text"] == "Olá, o painel caiu" and got["entry"]["seq"] == ack["seq"]

            reply = {"type": "message", "client_id": "a1", "text": "Pode me passar o ID do AnyDesk?"}
            await agent.send(json.dumps(reply | {"conversation_id": conversation_id}))
            seen = await frame(customer, entry("message"))
            assert seen["entry"]["author_name"] == "Ana" and "author_id" not in seen["entry"]
            last_seq = seen["entry"]["seq"]

        # The browser closed; the agent went on; the customer comes back and gets exactly the gap.
        await agent.send(
            json.dumps(
                {
                    "type": "message",
                    "client_id": "a2",
                    "text": "Ainda aí?",
                    "conversation_id": conversation_id,
                }
            )
        )
        await frame(agent, of("ack", client_id="a2"))
        resumed = gateways.ws(0, f"/api/v1/chat/socket?token={body['resume_token']}&after_seq={last_seq}")
        async with connect(resumed) as customer:
            back = await frame(customer, of("conversation"))
            assert [e["text"] for e in back["entries"]] == ["Ainda aí?"]
            await agent.send(json.dumps({"type": "close", "conversation_id": conversation_id}))
            closed = await frame(customer, of("status"))
            assert closed["conversation"]["status"] == "closed"


async def test_nobody_online_means_leave_a_message(gateways: Gateways) -> None:
    async with httpx.AsyncClient(base_url=gateways.urls[0]) as client:
        availability = (await client.get("/api/v1/chat/availability")).json()
        assert {d["department"]: d["agents_online"] for d in availability["departments"]}["Suporte"] == 0
        refused = await start_chat(gateways.urls[0])
        assert refused.status_code == 409 and refused.json()["error"] == "no_agent_available"
        left = await client.post(
            "/api/v1/chat/offline-messages",
            json={
                "name": "Rita",
                "email": "rita@example.com",
                "message": "Me liguem",
                "department": "Suporte",
            },
        )
        assert left.status_code == 202, left.text
        assert left.json()["status"] == "offline"
        bad = await client.post(
            "/api/v1/chat/conversations",
            json={"name": "Rita", "email": "x", "question": "?", "department": "Marte"},
            headers={"Accept-Language": "en"},
        )
        assert bad.status_code == 422
        assert {(f["field"], f["reason"]) for f in bad.json()["fields"]} == {
            ("email", "email_invalid"),
            ("department", "department_unknown"),
        }


async def test_bad_frames_get_error_frames_and_the_socket_lives_on(gateways: Gateways) -> None:
    token = await agent_token(gateways, "ana@example.com", "Suporte")
    async with connect(
        gateways.ws(0, "/api/v1/agent/chats/socket"), additional_headers={"Authorization": f"Bearer {token}"}
    ) as agent:
        await frame(agent, of("hello"))
        await agent.send(json.dumps({"type": "presence", "presence": "online"}))
        await frame(agent, of("presence"))
        body = (await start_chat(gateways.urls[0])).json()
        conversation_id = body["conversation"]["conversation_id"]
        await agent.send(json.dumps({"type": "accept", "conversation_id": conversation_id}))
        await frame(agent, of("accepted"))
        async with connect(gateways.ws(0, f"/api/v1/chat/socket?token={body['resume_token']}")) as customer:
            await frame(customer, of("conversation"))
            await customer.send(json.dumps({"type": "message", "client_id": "big", "text": "x" * 5000}))
            assert (await frame(customer, of("error")))["reason"] == "message_too_long"
            await customer.send("not json")
            assert (await frame(customer, of("error")))["reason"] == "invalid_frame"
            await customer.send(json.dumps({"type": "shout"}))
            assert (await frame(customer, of("error")))["reason"] == "unknown_frame"
            await customer.send(
                json.dumps({"type": "message", "client_id": "f", "text": "oi", "attachment_id": "x"})
            )
            assert (await frame(customer, of("error")))["reason"] == "attachment_unknown"
            # A burst of 5 (test settings; the refused file above took one), then flooding is refused.
            for n in range(8):
                await customer.send(json.dumps({"type": "message", "client_id": f"m{n}", "text": f"oi {n}"}))
            refused = await frame(customer, of("error"))
            assert (refused["reason"], refused["client_id"]) == ("rate_limited", "m4")
            await customer.send(json.dumps({"type": "ping"}))
            await frame(customer, of("pong"))  # still alive
            seen = [(await frame(agent, entry("message")))["entry"]["text"] for _ in range(4)]
            assert seen == ["oi 0", "oi 1", "oi 2", "oi 3"]


async def test_sockets_without_a_valid_credential_or_from_a_foreign_site_are_closed_with_1008(
    gateways: Gateways,
) -> None:
    for url, headers in [
        (gateways.ws(0, "/api/v1/chat/socket?token=forged"), {}),
        (gateways.ws(0, "/api/v1/agent/chats/socket"), {}),
        (gateways.ws(0, "/api/v1/agent/chats/socket"), {"Authorization": "Bearer nope"}),
    ]:
        async with connect(url, additional_headers=headers) as ws:
            with pytest.raises(ConnectionClosed) as closed:
                await ws.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008, url
    token = await agent_token(gateways, "ana@example.com", "Suporte")
    async with connect(
        gateways.ws(0, "/api/v1/agent/chats/socket"), additional_headers={"Authorization": f"Bearer {token}"}
    ) as agent:
        await frame(agent, of("hello"))
        await agent.send(json.dumps({"type": "presence", "presence": "online"}))
        await frame(agent, of("presence"))
        body = (await start_chat(gateways.urls[0])).json()
    foreign = gateways.ws(0, f"/api/v1/chat/socket?token={body['resume_token']}")
    async with connect(foreign, origin="https://evil.example") as ws:  # type: ignore[arg-type]
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008


async def test_files_travel_in_the_chat_and_only_its_people_open_them(gateways: Gateways) -> None:
    token = await agent_token(gateways, "ana@example.com", "Suporte")
    bearer = {"Authorization": f"Bearer {token}"}
    async with connect(gateways.ws(1, "/api/v1/agent/chats/socket"), additional_headers=bearer) as agent:
        await frame(agent, of("hello"))
        await agent.send(json.dumps({"type": "presence", "presence": "online"}))
        await frame(agent, of("presence"))
        body = (await start_chat(gateways.urls[0])).json()
        conversation_id = body["conversation"]["conversation_id"]
        await agent.send(json.dumps({"type": "accept", "conversation_id": conversation_id}))
        await frame(agent, of("accepted"))
        name, data = accepted("png")
        async with httpx.AsyncClient(base_url=gateways.urls[0]) as client:
            uploaded = await client.post(
                f"/api/v1/chat/conversations/{conversation_id}/attachments",
                params={"filename": name},
                content=data,
                headers={"X-Chat-Token": body["resume_token"]},
            )
            assert uploaded.status_code == 201, uploaded.text
            attachment_id = uploaded.json()["id"]
            stranger = await client.post(
                f"/api/v1/chat/conversations/{conversation_id}/attachments",
                params={"filename": name},
                content=data,
                headers={"X-Chat-Token": "forged"},
            )
            assert stranger.status_code == 404
        async with connect(gateways.ws(0, f"/api/v1/chat/socket?token={body['resume_token']}")) as customer:
            await frame(customer, of("conversation"))
            await customer.send(
                json.dumps(
                    {"type": "message", "client_id": "f1", "text": "o print", "attachment_id": attachment_id}
                )
            )
            await frame(customer, of("ack", client_id="f1"))
        shared = await frame(agent, entry("file"))
        assert shared["entry"]["attachment_id"] == attachment_id
        async with httpx.AsyncClient(base_url=gateways.urls[1], headers=bearer) as console:
            got = await console.get(f"/api/v1/agent/chats/{conversation_id}/attachments/{attachment_id}")
            assert got.status_code == 200 and got.content == data
            assert got.headers["content-disposition"].startswith("attachment;")
        # The customer: with the resume token now; later (a transcript's link) logged in as that address.
        link = f"/api/v1/chat/conversations/{conversation_id}/attachments/{attachment_id}"
        async with httpx.AsyncClient(base_url=gateways.urls[0]) as browser:
            assert (await browser.get(link)).status_code == 404
            assert (await browser.get(link, params={"token": body["resume_token"]})).content == data
            signed = await browser.post(
                "/api/v1/accounts", json={"name": "Rita", "email": "rita@example.com", "password": PASSWORD}
            )
            verify = signed.json()["dev_verification_url"].rsplit("#token=", 1)[1]
            assert (await browser.post("/api/v1/accounts/verify", json={"token": verify})).status_code == 204
            await browser.post("/api/v1/session", json={"email": "rita@example.com", "password": PASSWORD})
            assert (await browser.get(link)).content == data
        other = await agent_token(gateways, "beto@example.com", "Comercial")
        async with httpx.AsyncClient(base_url=gateways.urls[1]) as console:
            denied = await console.get(
                f"/api/v1/agent/chats/{conversation_id}/attachments/{attachment_id}",
                headers={"Authorization": f"Bearer {other}"},
            )
            assert denied.status_code == 404


async def test_an_agent_takes_only_chats_of_their_departments(gateways: Gateways) -> None:
    suporte = await agent_token(gateways, "ana@example.com", "Suporte")
    comercial = await agent_token(gateways, "beto@example.com", "Comercial")
    async with (
        connect(
            gateways.ws(0, "/api/v1/agent/chats/socket"),
            additional_headers={"Authorization": f"Bearer {suporte}"},
        ) as ana,
        connect(
            gateways.ws(1, "/api/v1/agent/chats/socket"),
            additional_headers={"Authorization": f"Bearer {comercial}"},
        ) as beto,
    ):
        for ws in (ana, beto):
            await frame(ws, of("hello"))
            await ws.send(json.dumps({"type": "presence", "presence": "online"}))
            await frame(ws, of("presence"))
        conversation_id = (await start_chat(gateways.urls[0])).json()["conversation"]["conversation_id"]
        await beto.send(json.dumps({"type": "accept", "conversation_id": conversation_id}))
        refused = await frame(beto, of("error"))
        assert (refused["reason"], refused["conversation_id"]) == ("not_your_chat", conversation_id)
        await beto.send(
            json.dumps(
                {"type": "message", "client_id": "x", "text": "oi", "conversation_id": conversation_id}
            )
        )
        assert (await frame(beto, of("error")))["reason"] == "not_your_chat"
        await ana.send(json.dumps({"type": "accept", "conversation_id": conversation_id}))
        assert (await frame(ana, of("accepted")))["conversation"]["agent_name"] == "Ana"
        # Handed to a colleague: the chat says who holds it now, by name.
        [beto_id] = [p.account_id for p in await staff.listed(gateways.accounts) if p.name == "Beto"]
        await ana.send(
            json.dumps({"type": "transfer", "conversation_id": conversation_id, "to_agent_id": beto_id})
        )
        moved = await frame(
            ana, lambda f: f.get("type") == "status" and f["conversation"]["agent_id"] == beto_id
        )
        assert moved["conversation"]["agent_name"] == "Beto"

"""The console's live tickets: an agent's socket hears that a ticket of its departments changed, nothing more.

Real NATS, PostgreSQL, the tickets service and the gateway; the agent on a WebSocket, the customer over HTTP.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from support.accounts import PASSWORD, verified_customer
from support.waiting import eventually
from websockets.asyncio.client import ClientConnection, connect

from contracts import Envelope
from contracts.common import ActorKind, Channel
from contracts.subjects import TICKET_OPENED_V1, TICKET_REPLIED_V1
from contracts.tickets import TicketOpenedV1, TicketRepliedV1, TicketStatus
from devstack.procs import free_port
from gateway.accounts import staff
from gateway.bootstrap import bootstrap as gateway_bootstrap
from gateway.chat.frames import ticket_for_agent
from gateway.chat.live import Hub, Link
from gateway.config import Settings as GatewaySettings
from gateway.domain.principal import Principal
from plumbing.bus import Bus
from tickets.bootstrap import bootstrap as tickets_bootstrap
from tickets.config import Settings as TicketsSettings

SOCKET = "/api/v1/agent/chats/socket"


@dataclass
class Stack:
    """The gateway in front of the tickets service."""

    url: str
    accounts: Any

    def client(self, **kwargs: Any) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, **kwargs)

    @property
    def ws(self) -> str:
        return self.url.replace("http://", "ws://") + SOCKET


@pytest.fixture
async def stack(nats_url: str, postgres_url: str) -> AsyncIterator[Stack]:
    tickets = TicketsSettings(nats_url=nats_url, postgres_url=postgres_url, ops_port=None)
    port = free_port()
    gateway = GatewaySettings(
        nats_url=nats_url,
        postgres_url=postgres_url,
        ops_port=None,
        http_port=port,
        public_url=f"http://127.0.0.1:{port}",
        dev_mode=True,
        cookie_secure=False,
    )
    async with tickets_bootstrap(tickets), gateway_bootstrap(gateway) as front:
        yield Stack(f"http://127.0.0.1:{port}", front.accounts)


async def customer(stack: Stack, email: str) -> httpx.AsyncClient:
    """A verified, logged-in customer (cookie + CSRF header)."""
    return await verified_customer(stack.client(), email)


async def agent(stack: Stack, email: str, *departments: str) -> httpx.AsyncClient:
    """A logged-in agent's browser: session cookie and CSRF header."""
    await staff.create(
        stack.accounts, email, email.split("@")[0].title(), "agent", list(departments), PASSWORD
    )
    client = stack.client()
    session = await client.post("/api/v1/session", json={"email": email, "password": PASSWORD})
    client.headers["X-CSRF-Token"] = session.json()["csrf_token"]
    return client


def console_socket(stack: Stack, browser: httpx.AsyncClient) -> Any:
    """The console's socket as a browser on the gateway's own page opens it: session cookie and Origin."""
    cookies = "; ".join(f"{name}={value}" for name, value in browser.cookies.items())
    return connect(stack.ws, additional_headers={"Cookie": cookies}, origin=stack.url)  # type: ignore[arg-type]


async def open_ticket(client: httpx.AsyncClient, subject: str, department: str) -> dict[str, Any]:
    opened = await client.post(
        "/api/v1/tickets", json={"subject": subject, "description": "Detalhes", "department": department}
    )
    assert opened.status_code == 201, opened.text
    return dict(opened.json())


async def frame(
    ws: ClientConnection, wanted: Callable[[dict[str, Any]], bool], timeout: float = 10
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The next frame ``wanted`` accepts, and the ticket frames that came before it."""
    before: list[dict[str, Any]] = []
    async with asyncio.timeout(timeout):
        while True:
            got = json.loads(await ws.recv())
            if wanted(got):
                return got, before
            if got.get("type") == "ticket":
                before.append(got)


def ticket(ticket_id: str, event: str) -> Callable[[dict[str, Any]], bool]:
    return lambda f: f.get("type") == "ticket" and f["ticket_id"] == ticket_id and f["event"] == event


async def test_an_agent_hears_of_its_departments_tickets_and_of_no_others(stack: Stack) -> None:
    maria = await customer(stack, "maria@example.com")
    earlier = await open_ticket(
        maria, "Boleto de outubro", "Financeiro"
    )  # before the socket: looked up later
    fin = await agent(stack, "fabio@example.com", "Financeiro")
    async with console_socket(stack, fin) as socket:
        hello, _ = await frame(socket, lambda f: f.get("type") == "hello")
        # No chat service here: the socket says so and stays, for tickets.
        assert (hello["departments"], hello["chat_available"], hello["queue"]) == (["Financeiro"], False, [])
        sales = await open_ticket(maria, "Quero um orçamento", "Comercial")
        billing = await open_ticket(maria, "Nota fiscal errada", "Financeiro")

        opened, before = await frame(socket, ticket(billing["id"], "opened"))
        assert before == [], "nothing about the Comercial ticket"
        assert opened == {
            "type": "ticket",
            "ticket_id": billing["id"],
            "number": billing["number"],
            "department": "Financeiro",
            "status": "waiting",
            "event": "opened",
        }

        answered = await fin.post(
            f"/api/v1/agent/tickets/{earlier['id']}/replies",
            json={"body": "Segue a segunda via (texto que o socket não leva)", "expected_version": 1},
        )
        assert answered.status_code == 201, answered.text
        replied, _ = await frame(socket, ticket(earlier["id"], "replied"))
        assert (replied["department"], replied["status"]) == ("Financeiro", None)
        assert "body" not in replied and "segunda via" not in json.dumps(replied)
        moved, _ = await frame(socket, ticket(earlier["id"], "status_changed"))
        assert moved["status"] == "awaiting_customer"

        # The Comercial ticket moves too; the Financeiro agent hears nothing of it.
        com = await agent(stack, "carla@example.com", "Comercial")
        worked = await com.put(
            f"/api/v1/agent/tickets/{sales['id']}/status", json={"status": "finished", "expected_version": 1}
        )
        assert worked.status_code == 200, worked.text
        await maria.post(f"/api/v1/tickets/{billing['id']}/replies", json={"body": "Obrigada"})
        _, before = await frame(socket, ticket(billing["id"], "replied"))
        assert all(f["ticket_id"] != sales["id"] for f in before)

        # Notes and assignments raise frames too (other consoles refresh), never with the note's words.
        version = (await fin.get(f"/api/v1/agent/tickets/{billing['id']}")).json()["ticket"]["version"]
        noted = await fin.post(
            f"/api/v1/agent/tickets/{billing['id']}/notes",
            json={"body": "nota sigilosa", "expected_version": version},
        )
        assert noted.status_code == 201, noted.text
        note, _ = await frame(socket, ticket(billing["id"], "note_added"))
        assert "sigilosa" not in json.dumps(note)
        me = (await fin.get("/api/v1/me")).json()["account_id"]
        given = await fin.put(
            f"/api/v1/agent/tickets/{billing['id']}/assignee",
            json={"agent_id": me, "expected_version": noted.json()["version"]},
        )
        assert given.status_code == 200, given.text
        await frame(socket, ticket(billing["id"], "assigned"))

        # The customer's rating of a finished ticket raises one too, never with their words.
        version = (await fin.get(f"/api/v1/agent/tickets/{earlier['id']}")).json()["ticket"]["version"]
        finished = await fin.put(
            f"/api/v1/agent/tickets/{earlier['id']}/status",
            json={"status": "finished", "expected_version": version},
        )
        assert finished.status_code == 200, finished.text
        rated = await maria.post(
            f"/api/v1/tickets/{earlier['id']}/rating", json={"score": 5, "comment": "atendimento excelente"}
        )
        assert rated.status_code == 200, rated.text
        told, _ = await frame(socket, ticket(earlier["id"], "rated"))
        assert "excelente" not in json.dumps(told)
        await fin.aclose()
        await com.aclose()
    await maria.aclose()


def principal(name: str, *departments: str) -> Principal:
    return Principal(name, "agent", f"{name}@example.com", name, True, departments)


def link(hub: Hub) -> Link:
    return Link(hub, websocket=None, render=lambda frame: None)  # type: ignore[arg-type]


def sent(link: Link, ids: set[str]) -> list[tuple[str, str]]:
    """(ticket id, event) of the ticket frames queued for ``link`` about ``ids``."""
    queued = list(link.outbox._queue)  # type: ignore[attr-defined]
    return [(f["ticket_id"], f["event"]) for f in queued if f["ticket_id"] in ids]


def opened(ticket_id: str, number: int, department: str | None) -> bytes:
    fact = TicketOpenedV1(
        ticket_id=ticket_id,
        number=number,
        channel=Channel.EMAIL,
        customer_email="rita@example.com",
        subject="Ajuda",
        department=department,
        status=TicketStatus.WAITING,
        opened_at=datetime.now(UTC),
    )
    return Envelope.wrap(fact).to_bytes()


async def test_one_subscription_serves_every_agent_and_a_ticket_of_unknown_department_reaches_nobody(
    bus: Bus,
) -> None:
    hub = Hub(bus)
    fabio, ana = link(hub), link(hub)
    await fabio.follow_tickets(lambda change: ticket_for_agent(principal("fabio", "Financeiro"), change))
    await ana.follow_tickets(lambda change: ticket_for_agent(principal("ana", "Suporte"), change))
    assert hub._tickets is not None and len(hub._ticket_links) == 2
    ids = {uuid.uuid4().hex for _ in range(4)}
    billing, sales, unrouted, lost = sorted(ids)
    await bus.nc.publish(TICKET_OPENED_V1, opened(billing, 9001, "Financeiro"))
    await bus.nc.publish(TICKET_OPENED_V1, opened(sales, 9002, "Comercial"))
    # A reply to a ticket this process never saw opened: its department is asked of tickets, which
    # is not running here, so nobody is told (rather than everybody).
    reply = TicketRepliedV1(
        ticket_id=lost,
        number=9003,
        reply_id="r1",
        customer_email="rita@example.com",
        author_kind=ActorKind.CUSTOMER,
        body="segredo",
        channel=Channel.EMAIL,
        replied_at=datetime.now(UTC),
    )
    await bus.nc.publish(TICKET_REPLIED_V1, Envelope.wrap(reply).to_bytes())
    await bus.nc.publish(TICKET_OPENED_V1, opened(unrouted, 9004, None))  # not routed yet: everybody's
    await eventually(lambda: (unrouted, "opened") in sent(ana, ids), what="the unrouted ticket")
    assert sent(fabio, ids) == [(billing, "opened"), (unrouted, "opened")]
    assert sent(ana, ids) == [(unrouted, "opened")]

    await fabio.close()
    assert hub._tickets is not None, "Ana still follows tickets"
    await ana.close()
    assert hub._tickets is None and hub._ticket_links == {}

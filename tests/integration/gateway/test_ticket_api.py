"""The ticket API end to end: HTTP → gateway → NATS → tickets service → event store → read models."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from contracts.subjects import GET_TICKET_HISTORY_V1
from devstack.procs import free_port
from gateway.accounts import staff
from gateway.bootstrap import bootstrap as gateway_bootstrap
from gateway.config import Settings as GatewaySettings
from tickets.bootstrap import bootstrap as tickets_bootstrap
from tickets.config import Settings as TicketsSettings

PASSWORD = "correct horse battery"


@dataclass
class Stack:
    """The running gateway (with its accounts) in front of the running tickets service."""

    url: str
    accounts: Any

    def client(self, **kwargs: Any) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, **kwargs)


@pytest.fixture
async def stack(nats_url: str, postgres_url: str) -> AsyncIterator[Stack]:
    tickets = TicketsSettings(nats_url=nats_url, postgres_url=postgres_url, ops_port=None)
    gateway = GatewaySettings(
        nats_url=nats_url,
        postgres_url=postgres_url,
        ops_port=None,
        http_port=free_port(),
        dev_mode=True,
        cookie_secure=False,
    )
    async with tickets_bootstrap(tickets) as backend, gateway_bootstrap(gateway) as front:
        backend.health.started = front.health.started = True
        yield Stack(f"http://127.0.0.1:{gateway.http_port}", front.accounts)


async def customer(stack: Stack, email: str, *, verify: bool = True) -> httpx.AsyncClient:
    """A logged-in customer's browser: session cookie plus the CSRF header."""
    client = stack.client()
    signed = await client.post(
        "/api/v1/accounts", json={"name": "Maria", "email": email, "password": PASSWORD}
    )
    assert signed.status_code == 202, signed.text
    client.verification_token = parse_qs(urlsplit(signed.json()["dev_verification_url"]).fragment)["token"][0]  # type: ignore[attr-defined]
    if verify:
        await verify_address(client)
    session = await client.post("/api/v1/session", json={"email": email, "password": PASSWORD})
    assert session.status_code == 200, session.text
    client.headers["X-CSRF-Token"] = session.json()["csrf_token"]
    return client


async def verify_address(client: httpx.AsyncClient) -> None:
    token = client.verification_token  # type: ignore[attr-defined]
    assert (await client.post("/api/v1/accounts/verify", json={"token": token})).status_code == 204


async def agent(stack: Stack, email: str, *departments: str) -> httpx.AsyncClient:
    """An agent created by the CLI's function (named after the address), using a bearer token."""
    name = email.split("@")[0].title()
    created = await staff.create(stack.accounts, email, name, "agent", list(departments), PASSWORD)
    client = stack.client()
    session = await client.post("/api/v1/session", json={"email": email, "password": PASSWORD})
    token = await client.post(
        "/api/v1/tokens", json={"name": "console"}, headers={"X-CSRF-Token": session.json()["csrf_token"]}
    )
    assert token.status_code == 201, token.text
    client = stack.client(headers={"Authorization": f"Bearer {token.json()['token']}"})
    client.account_id = created.principal.account_id  # type: ignore[attr-defined]
    return client


async def open_ticket(
    client: httpx.AsyncClient, subject: str = "Boleto vencido", **extra: Any
) -> httpx.Response:
    body = {"subject": subject, "description": "Preciso da segunda via.", "department": "Financeiro"} | extra
    return await client.post("/api/v1/tickets", json=body)


async def test_a_customer_opens_follows_answers_and_solves_a_ticket(stack: Stack) -> None:
    maria = await customer(stack, "maria@example.com")
    opened = await maria.post(
        "/api/v1/tickets",
        json={
            "subject": "Boleto vencido",
            "description": "Preciso da segunda via.",
            "department": "Financeiro",
        },
        headers={"Idempotency-Key": "k-1"},
    )
    assert opened.status_code == 201, opened.text
    ticket = opened.json()
    assert ticket["status"] == "waiting" and ticket["status_label"] == "Em espera"
    assert ticket["reference"] == f"#{ticket['number']}"
    assert opened.headers["location"] == f"/api/v1/tickets/{ticket['id']}"
    # A retried request (same key) answers the same ticket; the list has it once, at once.
    again = await maria.post(
        "/api/v1/tickets",
        json={
            "subject": "Boleto vencido",
            "description": "Preciso da segunda via.",
            "department": "Financeiro",
        },
        headers={"Idempotency-Key": "k-1"},
    )
    assert again.json()["id"] == ticket["id"]
    listed = (await maria.get("/api/v1/tickets")).json()
    assert [(t["number"], t["subject"]) for t in listed["tickets"]] == [(ticket["number"], "Boleto vencido")]
    assert listed["tickets"][0]["opened_at"] == ticket["opened_at"]

    ana = await agent(stack, "ana@example.com", "Financeiro")
    inbox = (await ana.get("/api/v1/agent/tickets", params={"status": "waiting"})).json()
    assert [t["id"] for t in inbox["tickets"]] == [ticket["id"]]
    assert {c["key"]: c["count"] for c in inbox["by_status"]} == {"waiting": 1}
    worked = await ana.put(
        f"/api/v1/agent/tickets/{ticket['id']}/status", json={"status": "in_progress", "expected_version": 1}
    )
    assert worked.status_code == 200, worked.text
    note = await ana.post(
        f"/api/v1/agent/tickets/{ticket['id']}/notes", json={"body": "cliente VIP, segredo"}
    )
    assert note.status_code == 201
    replied = await ana.post(
        f"/api/v1/agent/tickets/{ticket['id']}/replies", json={"body": "Segue a segunda via."}
    )
    assert replied.json()["status"] == "awaiting_customer"

    seen = (await maria.get(f"/api/v1/tickets/{ticket['id']}", headers={"Accept-Language": "en"})).json()
    assert seen["ticket"]["status_label"] == "Awaiting your reply"
    assert [e["kind"] for e in seen["history"]] == ["opened", "status_changed", "replied", "status_changed"]
    assert all("segredo" not in (e["body"] or "") for e in seen["history"]), "internal notes stay internal"
    assert seen["ticket"]["assignee"] is None
    assert [e["actor_name"] for e in seen["history"]] == ["Maria", "Ana", "Ana", "Ana"], "people, not ids"
    agents_view = (await ana.get(f"/api/v1/agent/tickets/{ticket['id']}")).json()
    assert "note" in [e["kind"] for e in agents_view["history"]]

    answered = await maria.post(f"/api/v1/tickets/{ticket['id']}/replies", json={"body": "Obrigada!"})
    assert answered.status_code == 201 and answered.json()["status"] == "in_progress"
    solved = await maria.post(f"/api/v1/tickets/{ticket['id']}/solved")
    assert solved.json()["status"] == "finished" and solved.json()["status_label"] == "Finalizado"


async def test_nobody_sees_or_touches_what_is_not_theirs(stack: Stack) -> None:
    maria = await customer(stack, "maria@example.com")
    joao = await customer(stack, "joao@example.com")
    ticket = (await open_ticket(maria)).json()
    for method, path, body in [
        ("GET", f"/api/v1/tickets/{ticket['id']}", None),
        ("POST", f"/api/v1/tickets/{ticket['id']}/replies", {"body": "oi"}),
        ("POST", f"/api/v1/tickets/{ticket['id']}/solved", None),
        ("GET", "/api/v1/tickets/not-a-ticket", None),
    ]:
        answer = await joao.request(method, path, json=body)
        assert answer.status_code == 404, (method, path, answer.text)
        assert answer.json()["error"] == "ticket_not_found"
    assert (await joao.get("/api/v1/tickets")).json()["total"] == 0
    # An agent of another department neither finds it in the inbox nor opens it.
    bruno = await agent(stack, "bruno@example.com", "Websites")
    assert (await bruno.get("/api/v1/agent/tickets")).json()["total"] == 0
    assert (await bruno.get(f"/api/v1/agent/tickets/{ticket['id']}")).status_code == 404
    # Customers are not agents, and nobody anonymous is anyone.
    assert (await maria.get("/api/v1/agent/tickets")).status_code == 403
    async with stack.client() as anonymous:
        assert (await anonymous.get("/api/v1/tickets")).status_code == 401
        assert (await open_ticket(anonymous)).status_code == 401
    # A cookie request without the CSRF header changes nothing.
    del maria.headers["X-CSRF-Token"]
    refused = await maria.post(f"/api/v1/tickets/{ticket['id']}/solved")
    assert (refused.status_code, refused.json()["error"]) == (403, "csrf_failed")


async def test_email_tickets_show_once_the_address_is_verified(stack: Stack, bus: Any) -> None:
    from datetime import UTC, datetime

    from contracts.common import Channel
    from contracts.subjects import TICKET_REQUESTED_V1
    from contracts.tickets import TicketRequestedV1

    await bus.publish(
        TICKET_REQUESTED_V1,
        TicketRequestedV1(
            request_id="email:<1@example.com>",
            channel=Channel.EMAIL,
            customer_email="rui@example.com",
            subject="Pedido por email",
            body="Olá",
            received_at=datetime.now(UTC),
        ),
    )
    squatter = await customer(stack, "rui@example.com", verify=False)
    await open_ticket(squatter, "Pelo portal")
    ana = await agent(stack, "ana@example.com", "Financeiro")
    for _ in range(100):  # the email ticket arrives through JetStream; wait until agents see it
        if (await ana.get("/api/v1/agent/tickets", params={"q": "email"})).json()["total"]:
            break
        await asyncio.sleep(0.05)
    mine = (await squatter.get("/api/v1/tickets")).json()
    assert [t["subject"] for t in mine["tickets"]] == ["Pelo portal"], "unverified: only what it opened here"
    email_ticket = (await ana.get("/api/v1/agent/tickets", params={"q": "email"})).json()["tickets"][0]
    assert (await squatter.get(f"/api/v1/tickets/{email_ticket['id']}")).status_code == 404
    await verify_address(squatter)
    mine = (await squatter.get("/api/v1/tickets")).json()
    assert {t["subject"] for t in mine["tickets"]} == {"Pelo portal", "Pedido por email"}
    assert (await squatter.get(f"/api/v1/tickets/{email_ticket['id']}")).status_code == 200


async def test_invalid_requests_name_the_field_in_the_readers_language(stack: Stack) -> None:
    maria = await customer(stack, "maria@example.com")
    empty = await maria.post(
        "/api/v1/tickets", json={"subject": "", "description": "x"}, headers={"Accept-Language": "en"}
    )
    assert empty.status_code == 422
    assert [(f["field"], f["reason"]) for f in empty.json()["fields"]] == [("subject", "string_too_short")]
    assert empty.json()["fields"][0]["message"] == "Text too short."
    unknown = await open_ticket(maria, department="Marketing")
    assert unknown.status_code == 422 and unknown.json()["fields"][0]["field"] == "department"
    assert unknown.json()["message"] == "Dados inválidos."
    ticket = (await open_ticket(maria)).json()
    ana = await agent(stack, "ana@example.com", "Financeiro")
    stale = await ana.put(
        f"/api/v1/agent/tickets/{ticket['id']}/status", json={"status": "in_progress", "expected_version": 7}
    )
    assert (stale.status_code, stale.json()["error"]) == (409, "stale_version")
    assert (stale.json()["current"]["version"], stale.json()["current"]["status"]) == (1, "waiting")
    illegal = await ana.put(
        f"/api/v1/agent/tickets/{ticket['id']}/status", json={"status": "waiting", "expected_version": 1}
    )
    assert (illegal.status_code, illegal.json()["error"]) == (409, "illegal_transition")
    assert (await maria.get("/api/v1/tickets")).json()["total"] == 1, "refusals wrote nothing"


async def test_two_agents_at_the_same_version_one_wins(stack: Stack) -> None:
    maria = await customer(stack, "maria@example.com")
    ticket = (await open_ticket(maria)).json()
    ana = await agent(stack, "ana@example.com", "Financeiro")
    bia = await agent(stack, "bia@example.com", "Financeiro")
    path = f"/api/v1/agent/tickets/{ticket['id']}/status"
    answers = await asyncio.gather(
        ana.put(path, json={"status": "in_progress", "expected_version": 1}),
        bia.put(path, json={"status": "finished", "expected_version": 1}),
    )
    assert sorted(a.status_code for a in answers) == [200, 409]
    winner, loser = sorted(answers, key=lambda a: a.status_code)
    assert loser.json()["current"] == winner.json(), "the loser sees the winner's change"
    assert len((await ana.get(f"/api/v1/agent/tickets/{ticket['id']}")).json()["history"]) == 2


async def test_openapi_documents_every_ticket_endpoint_and_its_errors(stack: Stack) -> None:
    async with stack.client() as client:
        spec = (await client.get("/api/openapi.json")).json()
        assert (await client.get("/openapi.json")).json() == spec, "also at the root"
    ticket_paths = {p: ops for p, ops in spec["paths"].items() if "/tickets" in p}
    assert len(ticket_paths) >= 7
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            refusals = {code: r for code, r in operation["responses"].items() if code[0] in "45"}
            assert refusals, (method, path)
            for code, response in refusals.items():
                schema = response["content"]["application/json"]["schema"]["$ref"]
                assert schema.endswith("/ErrorBody"), (method, path, code, "the body we really send")
            if path in ticket_paths and path.startswith("/api/v1/ratings/"):
                # The mailed rating link needs no account: its key is the proof (a wrong one is a 404).
                assert {"404", "409", "422", "503", "504"} <= set(refusals), (method, path)
            elif path in ticket_paths:
                assert {"401", "403", "422", "503", "504"} <= set(refusals), (method, path)
                if "{ticket_id}" in path:
                    assert "404" in refusals, (method, path)


async def test_tickets_go_only_to_agents_of_their_department(stack: Stack) -> None:
    maria = await customer(stack, "maria@example.com")
    ticket = (await open_ticket(maria)).json()
    ana = await agent(stack, "ana@example.com", "Financeiro")
    bia = await agent(stack, "bia@example.com", "Financeiro", "Suporte")
    caio = await agent(stack, "caio@example.com", "Websites")
    path = f"/api/v1/agent/tickets/{ticket['id']}/assignee"
    for wrong in (caio.account_id, "not-an-id", "00000000-0000-0000-0000-000000000000"):  # type: ignore[attr-defined]
        refused = await ana.put(path, json={"agent_id": wrong, "expected_version": 1})
        assert refused.status_code == 422, refused.text
        assert refused.json()["fields"][0] == {
            "field": "agent_id",
            "reason": "agent_unknown",
            "message": "Agente desconhecido ou fora do departamento desta solicitação.",
        }
    given = await ana.put(path, json={"agent_id": bia.account_id, "expected_version": 1})  # type: ignore[attr-defined]
    assert given.status_code == 200 and given.json()["assignee"] == bia.account_id  # type: ignore[attr-defined]
    mine = (await bia.get("/api/v1/agent/tickets", params={"assignee": "me"})).json()
    assert [(t["id"], t["assignee_name"]) for t in mine["tickets"]] == [(ticket["id"], "Bia")]
    history = (await bia.get(f"/api/v1/agent/tickets/{ticket['id']}")).json()["history"]
    assert (history[-1]["kind"], history[-1]["actor_name"], history[-1]["assignee_name"]) == (
        "assigned",
        "Ana",
        "Bia",
    )
    nobody = await ana.put(path, json={"agent_id": None, "expected_version": 2})
    assert nobody.json()["assignee"] is None


async def test_the_console_lists_colleagues_of_the_agents_departments(stack: Stack) -> None:
    ana = await agent(stack, "ana@example.com", "Financeiro")
    await agent(stack, "bia@example.com", "Financeiro", "Suporte")
    await agent(stack, "caio@example.com", "Comercial")
    names = [c["name"] for c in (await ana.get("/api/v1/agent/colleagues")).json()]
    assert names == ["Ana", "Bia"]
    support = (await ana.get("/api/v1/agent/colleagues", params={"department": "Comercial"})).json()
    assert [(c["name"], c["departments"]) for c in support] == [("Caio", ["Comercial"])]
    maria = await customer(stack, "maria@example.com")
    assert (await maria.get("/api/v1/agent/colleagues")).status_code == 403


async def test_a_change_checks_access_on_the_ticket_not_its_whole_history(stack: Stack, bus: Any) -> None:
    """Replies, notes, moves and uploads ask for the ticket as it is now: a history grows with the ticket."""
    maria = await customer(stack, "maria@example.com")
    ticket = (await open_ticket(maria)).json()
    ana = await agent(stack, "ana@example.com", "Financeiro")
    histories: list[object] = []

    async def seen(message: object) -> None:
        histories.append(message)

    spy = await bus.nc.subscribe(GET_TICKET_HISTORY_V1, cb=seen)
    base = f"/api/v1/agent/tickets/{ticket['id']}"
    assert (await ana.put(f"{base}/status", json={"status": "in_progress", "expected_version": 1})).is_success
    assert (await ana.post(f"{base}/notes", json={"body": "nota"})).is_success
    assert (await ana.post(f"{base}/replies", json={"body": "Segue."})).is_success
    assert (await maria.post(f"/api/v1/tickets/{ticket['id']}/replies", json={"body": "Obrigada"})).is_success
    uploaded = await maria.post(
        f"/api/v1/tickets/{ticket['id']}/attachments", params={"filename": "a.pdf"}, content=b"%PDF-1.4\n"
    )
    assert uploaded.status_code == 503, uploaded.text  # no files service here, but access came first
    await bus.nc.flush()
    assert histories == []
    assert (await maria.get(f"/api/v1/tickets/{ticket['id']}")).is_success  # reading it does ask
    await bus.nc.flush()
    await spy.unsubscribe()
    assert len(histories) == 1

"""The service figures through the gateway: facts on JetStream → insights → JSON and CSV, by department."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.accounts import PASSWORD
from support.waiting import eventually

from contracts.chat import ChatAcceptedV1, ChatClosedV1, ChatRequestedV1, ConversationStatus
from contracts.common import ActorKind, Channel
from contracts.subjects import (
    CHAT_ACCEPTED_V1,
    CHAT_CLOSED_V1,
    CHAT_REQUESTED_V1,
    TICKET_CLOSED_V1,
    TICKET_OPENED_V1,
    TICKET_REPLIED_V1,
)
from contracts.tickets import TicketClosedV1, TicketOpenedV1, TicketRepliedV1, TicketStatus
from devstack.nats import NatsServer
from devstack.procs import free_port
from gateway.accounts import staff
from gateway.bootstrap import bootstrap as gateway_bootstrap
from gateway.config import Settings as GatewaySettings
from insights.bootstrap import bootstrap as insights_bootstrap
from insights.config import Settings as InsightsSettings
from plumbing.bus import Bus

# Monday 2 November 2026, 10:00 in São Paulo (UTC-3).
MONDAY = datetime(2026, 11, 2, 13, 0, tzinfo=UTC)


@pytest.fixture
async def site(tmp_path: Path, postgres_url: str) -> AsyncIterator[tuple[str, Any, Bus]]:
    nats = NatsServer(port=free_port(), monitor_port=free_port(), store_dir=tmp_path / "nats")
    nats.start()
    port = free_port()
    common: dict[str, Any] = {"nats_url": nats.url, "postgres_url": postgres_url, "ops_port": None}
    try:
        bus = await Bus.connect(nats.url, "insights-api-test")
        async with (
            insights_bootstrap(InsightsSettings(**common, business_hours="mon-fri 08:00-18:00")),
            gateway_bootstrap(
                GatewaySettings(**common, http_port=port, dev_mode=True, cookie_secure=False)
            ) as gw,
        ):
            yield f"http://127.0.0.1:{port}", gw.accounts, bus
        await bus.close()
    finally:
        nats.stop()


async def ticket(
    bus: Bus, n: int, department: str, answered_after: timedelta, finished_after: timedelta
) -> None:
    ids = {"ticket_id": f"t-{n}", "number": 1000 + n, "customer_email": "maria@example.com"}
    facts = [
        (TICKET_OPENED_V1, TicketOpenedV1(**ids, channel=Channel.PORTAL, subject="Boleto", body="Não gera.",
            department=department, status=TicketStatus.WAITING, opened_at=MONDAY)),
        (TICKET_REPLIED_V1, TicketRepliedV1(**ids, reply_id=f"r{n}", author_kind=ActorKind.AGENT, author_name="ana",
            body="Segue.", channel=Channel.PORTAL, replied_at=MONDAY + answered_after)),
        (TICKET_CLOSED_V1, TicketClosedV1(**ids, closed_by=ActorKind.AGENT, closed_at=MONDAY + finished_after)),
    ]  # fmt: skip
    for version, (subject, fact) in enumerate(facts, start=1):
        await bus.publish(subject, fact, message_id=f"tickets:t-{n}:{version}")


async def chat(bus: Bus, n: int, department: str, waited_s: float | None) -> None:
    ids = {"conversation_id": f"c-{n}"}
    person = {"customer_email": "joao@example.com", "customer_name": "João"}
    facts: list[tuple[str, Any]] = [
        (CHAT_REQUESTED_V1, ChatRequestedV1(**ids, **person, department=department, question="O site caiu",
            requested_at=MONDAY)),
    ]  # fmt: skip
    if waited_s is not None:
        facts.append((CHAT_ACCEPTED_V1, ChatAcceptedV1(**ids, department=department, agent_id="ana",
            waited_s=waited_s, accepted_at=MONDAY + timedelta(seconds=waited_s))))  # fmt: skip
    status = ConversationStatus.CLOSED if waited_s is not None else ConversationStatus.ABANDONED
    facts.append((CHAT_CLOSED_V1, ChatClosedV1(**ids, **person, department=department, closed_by=ActorKind.SYSTEM,
        status=status, messages=0, closed_at=MONDAY + timedelta(minutes=20))))  # fmt: skip
    for version, (subject, fact) in enumerate(facts, start=1):
        await bus.publish(subject, fact, message_id=f"chat:c-{n}:{version}")


async def console(url: str, accounts: Any, email: str, kind: str, *departments: str) -> httpx.AsyncClient:
    await staff.create(accounts, email, email.split("@")[0].title(), kind, list(departments), PASSWORD)
    client = httpx.AsyncClient(base_url=url)
    session = await client.post("/api/v1/session", json={"email": email, "password": PASSWORD})
    client.headers["X-CSRF-Token"] = session.json()["csrf_token"]
    return client


def table(answer: dict[str, Any], name: str) -> list[dict[str, Any]]:
    [found] = [t for t in answer["tables"] if t["name"] == name]
    return [dict(zip(found["columns"], row, strict=True)) for row in found["rows"]]


async def test_agents_see_their_departments_figures_in_business_hours_and_as_csv(
    site: tuple[str, Any, Bus],
) -> None:
    url, accounts, bus = site
    # Financeiro: answered after 1 h and 3 h of business time; finished after 2 h and 8 h (the second
    # crosses 18:00 → 08:00, so 22 elapsed hours are 8 business hours). Suporte: one ticket, two chats.
    await ticket(bus, 1, "Financeiro", timedelta(hours=1), timedelta(hours=2))
    await ticket(bus, 2, "Financeiro", timedelta(hours=3), timedelta(hours=22))
    await ticket(bus, 3, "Suporte", timedelta(minutes=30), timedelta(hours=1))
    await chat(bus, 1, "Suporte", 40.0)
    await chat(bus, 2, "Suporte", None)

    fabio = await console(url, accounts, "fabio@example.com", "agent", "Financeiro")
    admin = await console(url, accounts, "root@example.com", "admin")

    async def all_in() -> bool:
        answer = (await admin.get("/api/v1/agent/insights/figures", params={"period": "2026-11"})).json()
        return (
            sum(row["opened"] for row in table(answer, "tickets")) == 3 and len(table(answer, "chats")) == 1
        )

    await eventually(all_in, what="the facts folded into figures")

    mine = await fabio.get("/api/v1/agent/insights/figures", params={"period": "2026-11", "by": "department"})
    assert mine.status_code == 200, mine.text
    assert mine.json()["previous_period"] == "2026-10"
    [financeiro] = table(mine.json(), "tickets")
    assert (financeiro["department"], financeiro["opened"], financeiro["finished"]) == ("Financeiro", 2, 2)
    assert financeiro["first_response_median_s"] == 2 * 3600  # 1 h and 3 h: the median is 2 h
    assert financeiro["resolution_median_s"] == 5 * 3600  # 2 h and 8 business hours
    assert table(mine.json(), "chats") == [], "Suporte's chats are not Financeiro's business"

    everything = (await admin.get("/api/v1/agent/insights/figures", params={"period": "2026-11"})).json()
    [suporte_chats] = table(everything, "chats")
    assert (suporte_chats["requested"], suporte_chats["accepted"], suporte_chats["abandoned"]) == (2, 1, 1)
    assert suporte_chats["wait_median_s"] == 40.0

    exported = await fabio.get(
        "/api/v1/agent/insights/figures.csv", params={"period": "2026-11", "table": "tickets"}
    )
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    assert 'filename="atende-tickets-2026-11.csv"' in exported.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert [(r["department"], r["opened"]) for r in rows] == [("Financeiro", "2")]

    wrong = await fabio.get("/api/v1/agent/insights/figures", params={"period": "novembro"})
    assert wrong.status_code == 422 and wrong.json()["fields"][0]["reason"] == "period_invalid"
    maria = httpx.AsyncClient(base_url=url)
    signed = await maria.post(
        "/api/v1/accounts", json={"name": "Maria", "email": "m@example.com", "password": PASSWORD}
    )
    assert signed.status_code == 202
    await maria.post("/api/v1/session", json={"email": "m@example.com", "password": PASSWORD})
    assert (
        await maria.get("/api/v1/agent/insights/figures", params={"period": "2026-11"})
    ).status_code == 403
    for client in (fabio, admin, maria):
        await client.aclose()

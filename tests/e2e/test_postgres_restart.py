"""PostgreSQL restarted under write load: acknowledged writes survive; clients get clean retryable errors.

The gateway, tickets and chat run as real processes on a PostgreSQL server of this test's own (the
pgserver wheel's binaries: one data directory, one socket, one URL). Customers open tickets, reply to
them and leave chat messages over HTTP, each write sent again with its Idempotency-Key until it is
acknowledged, while the server is stopped in immediate mode (no checkpoint: what was acknowledged
must come back from the WAL) and started again a few seconds later. Nothing else is restarted.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.accounts import PASSWORD, token_of
from support.jetstream import facts
from support.own_postgres import OwnPostgres, restartable_postgres
from support.replicas import Replica, end, launch, ready
from support.waiting import eventually

from chat.translate import offline_request_id
from contracts.subjects import TICKET_OPENED_V1, TICKET_REPLIED_V1, TICKET_REQUESTED_V1
from contracts.tickets import ticket_id_for
from devstack.nats import NatsServer
from devstack.postgres import ensure_database
from devstack.services import spec_named
from gateway.domain.messages import text
from plumbing.bus import Bus

pytestmark = pytest.mark.e2e
ANSWER_WITHIN_S = 15  # every request, the outage's included, is answered within this
TICKET_LANES, CHAT_LANES = 4, 2  # concurrent writers
OUTAGE_S = 3  # PostgreSQL stays down at least this long


@pytest.fixture
def own_postgres() -> Iterator[OwnPostgres]:
    with restartable_postgres() as server:
        yield server


@pytest.fixture
async def fleet(
    own_postgres: OwnPostgres, own_nats: NatsServer, tmp_path: Path
) -> AsyncIterator[dict[str, Replica]]:
    """tickets, chat and the gateway, each on its own database of ``own_postgres``."""
    replicas: dict[str, Replica] = {}
    for service in ("tickets", "chat", "gateway"):
        spec = spec_named(service)
        database = ensure_database(own_postgres.url, f"atende_{spec.module}")
        env = {spec.env_prefix + "RATE_LIMITS": "false"}  # a few customers writing fast
        replicas[service] = launch(spec, service, own_nats.url, database, tmp_path, env=env)
    try:
        for replica in replicas.values():
            await eventually(partial(ready, replica), timeout=60, what=f"{replica.name} ready")
        yield replicas
    finally:
        end(list(replicas.values()))


@dataclass
class Customer:
    """A verified customer's HTTP client (bearer token), in one language."""

    email: str
    language: str
    client: httpx.AsyncClient


@dataclass
class Attempt:
    """One request of the load and how it ended (status 0: no answer within the client's timeout)."""

    what: str
    language: str
    began: float
    seconds: float
    status: int
    retry_after: str | None
    body: Any

    @property
    def acknowledged(self) -> bool:
        return 200 <= self.status < 300


@dataclass
class Load:
    """What the writers sent, and what was acknowledged."""

    attempts: list[Attempt] = field(default_factory=list)
    opened: dict[str, str] = field(default_factory=dict)  # ticket id -> customer email
    replies: dict[str, str] = field(default_factory=dict)  # reply body -> ticket id
    left: dict[str, str] = field(default_factory=dict)  # chat conversation id -> customer email
    stopping: asyncio.Event = field(default_factory=asyncio.Event)

    def acknowledged_since(self, moment: float) -> int:
        return sum(1 for a in self.attempts if a.began >= moment and a.acknowledged)

    def refused_since(self, moment: float) -> int:
        return sum(1 for a in self.attempts if a.began >= moment and not a.acknowledged)


async def write(load: Load, who: Customer, what: str, path: str, body: dict[str, Any]) -> Any:
    """POST until acknowledged, with the same Idempotency-Key every time; each try is recorded."""
    while True:
        began = time.monotonic()
        try:
            answer = await who.client.post(path, json=body, headers={"Idempotency-Key": what})
        except httpx.TimeoutException:
            load.attempts.append(Attempt(what, who.language, began, time.monotonic() - began, 0, None, None))
            continue
        try:
            content = answer.json()
        except ValueError:
            content = answer.text
        seconds = time.monotonic() - began
        retry_after = answer.headers.get("Retry-After")
        load.attempts.append(
            Attempt(what, who.language, began, seconds, answer.status_code, retry_after, content)
        )
        if answer.is_success:
            return content
        # Whole seconds; a client may come back sooner (the test would wait too long otherwise).
        await asyncio.sleep(min(float(retry_after or 1), 1.0))


async def ticket_writer(load: Load, who: Customer, lane: int) -> None:
    """Open a ticket and reply to it twice, again and again until told to stop."""
    n = 0
    while not load.stopping.is_set():
        key = f"lane{lane}-{n}"
        new = {"subject": f"Pedido {key}", "description": "Preciso de ajuda."}
        ticket = await write(load, who, f"{key}-open", "/api/v1/tickets", new)
        load.opened[ticket["id"]] = who.email
        for m in range(2):
            body = f"Resposta {key}-{m}"
            await write(
                load, who, f"{key}-reply-{m}", f"/api/v1/tickets/{ticket['id']}/replies", {"body": body}
            )
            load.replies[body] = ticket["id"]
        n += 1


async def chat_writer(load: Load, who: Customer, lane: int) -> None:
    """Leave a chat message (nobody online: it becomes a ticket), again and again until told to stop."""
    n = 0
    while not load.stopping.is_set():
        key = f"lane{lane}-{n}-chat"
        form = {"name": "Cliente", "email": who.email, "message": f"Mensagem {key}", "department": "Suporte"}
        left = await write(load, who, key, "/api/v1/chat/offline-messages", form)
        load.left[left["conversation_id"]] = who.email
        n += 1


async def verified_customer(gateway: Replica, email: str, language: str) -> Customer:
    """Sign up, verify (dev mode: the link is in the answer) and take an API token."""
    client = httpx.AsyncClient(base_url=gateway.url, timeout=ANSWER_WITHIN_S * 2)
    account = {"name": "Cliente", "email": email, "password": PASSWORD}
    signed = await client.post("/api/v1/accounts", json=account)
    assert signed.status_code == 202, signed.text
    token = token_of(signed.json()["dev_verification_url"])
    assert (await client.post("/api/v1/accounts/verify", json={"token": token})).status_code == 204
    session = await client.post("/api/v1/session", json={"email": email, "password": PASSWORD})
    csrf = {"X-CSRF-Token": session.json()["csrf_token"]}
    issued = await client.post("/api/v1/tokens", json={"name": "load"}, headers=csrf)
    assert issued.status_code == 201, issued.text
    client.cookies.clear()
    client.headers.update({"Authorization": f"Bearer {issued.json()['token']}", "Accept-Language": language})
    return Customer(email, language, client)


async def published(bus: Bus, subject: str, key: str) -> Counter[str]:
    """How often each ``key`` value was published on ``subject`` (the stream's whole history)."""
    return Counter(fact[key] for fact in await facts(bus, subject))


async def test_writes_acknowledged_around_a_postgres_restart_are_kept_once_and_the_outage_is_a_clean_503(
    fleet: dict[str, Replica], own_postgres: OwnPostgres, own_nats: NatsServer
) -> None:
    customers = [
        await verified_customer(fleet["gateway"], f"cliente{i}@example.com", language)
        for i, language in enumerate(("pt-BR", "en"))
    ]
    load = Load()
    lanes = [asyncio.create_task(ticket_writer(load, customers[i % 2], i)) for i in range(TICKET_LANES)]
    lanes += [asyncio.create_task(chat_writer(load, customers[i % 2], i)) for i in range(CHAT_LANES)]
    try:
        began = time.monotonic()
        await eventually(lambda: load.acknowledged_since(began) >= 30, timeout=60, what="the load under way")

        down = time.monotonic()
        await asyncio.to_thread(own_postgres.stop, "immediate")
        await eventually(lambda: load.refused_since(down) >= TICKET_LANES, timeout=30, what="writes refused")
        await asyncio.sleep(max(0.0, down + OUTAGE_S - time.monotonic()))  # the outage itself, not a wait
        await asyncio.to_thread(own_postgres.start)
        up = time.monotonic()

        # The services find PostgreSQL again by themselves: nothing is restarted.
        await eventually(
            lambda: load.acknowledged_since(up) >= 30, timeout=60, what="writes acknowledged again"
        )
        load.stopping.set()
        await asyncio.wait_for(asyncio.gather(*lanes), timeout=60)
    finally:
        load.stopping.set()
        for lane in lanes:
            lane.cancel()
        await asyncio.gather(*lanes, return_exceptions=True)

    try:
        assert all(r.process.poll() is None for r in fleet.values()), "every service still runs"
        refused = [a for a in load.attempts if not a.acknowledged]
        after = min(a.began + a.seconds for a in load.attempts if a.began >= up and a.acknowledged) - up
        slowest = max(a.seconds for a in load.attempts)
        print(
            f"PostgreSQL down {up - down:.1f} s; {len(load.attempts)} requests, {len(refused)} refused; "
            f"slowest answer {slowest:.1f} s; first acknowledged write {after:.1f} s after the start"
        )
        # Meanwhile: every answer within the bound, and every refusal a clean, retryable 503.
        assert refused, "the outage was felt"
        assert slowest <= ANSWER_WITHIN_S, [a for a in load.attempts if a.seconds > ANSWER_WITHIN_S][:3]
        for attempt in refused:
            assert attempt.status == 503, attempt
            assert attempt.retry_after is not None and int(attempt.retry_after) >= 1, attempt
            assert attempt.body == {"error": "unavailable", "message": text("unavailable", attempt.language)}

        # Afterwards: every acknowledged ticket, reply and chat message is there once, as the customer
        # sees it (the chat messages as the tickets they became, through the intake stream).
        offline = {ticket_id_for(offline_request_id(c)): email for c, email in load.left.items()}
        wanted = load.opened | offline
        expected = {
            who.email: {
                t: Counter(b for b, r in load.replies.items() if r == t)
                for t, e in wanted.items()
                if e == who.email
            }
            for who in customers
        }
        seen: dict[str, dict[str, Counter[str]]] = {}

        async def caught_up() -> bool:
            for who in customers:
                page = (await who.client.get("/api/v1/tickets", params={"limit": 200})).json()
                seen[who.email] = {}
                for ticket in page["tickets"]:
                    detail = (await who.client.get(f"/api/v1/tickets/{ticket['id']}")).json()
                    history = detail["history"]
                    seen[who.email][ticket["id"]] = Counter(
                        e["body"] for e in history if e["kind"] == "replied"
                    )
            return seen == expected

        with contextlib.suppress(AssertionError):  # the projections catch up; if not, the diff below
            await eventually(caught_up, timeout=60)
        assert seen == expected

        # The relays published each acknowledged write exactly once.
        bus = await Bus.connect(own_nats.url, "pg-restart-test")
        try:
            opened = await published(bus, TICKET_OPENED_V1, "ticket_id")
            assert set(opened) == set(wanted) and max(opened.values()) == 1
            replied = await published(bus, TICKET_REPLIED_V1, "body")
            assert set(replied) == set(load.replies) and max(replied.values()) == 1
            requested = await published(bus, TICKET_REQUESTED_V1, "request_id")
            assert set(requested) == {offline_request_id(c) for c in load.left}
            assert max(requested.values()) == 1
        finally:
            await bus.close()
    finally:
        for who in customers:
            await who.client.aclose()

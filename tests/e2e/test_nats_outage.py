"""NATS stopped for 30 s under load, then started again on the same port and store: nothing acknowledged is lost.

gateway, tickets, notifier and insights run as processes against a NATS server of the test's own.
Customers keep opening tickets and replying over HTTP before, during and after the outage, and
mail-ingest's part (ticket requests on the intake stream) is published by the test. While NATS is
down the gateway answers every request quickly with a clean 503 or 504. Once it is back, with no
service restarted, every acknowledged ticket and reply is there exactly once (customer's list, ticket
history, stream), each receipt is mailed once, and every durable consumer drains to 0.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.parser import BytesParser
from email.policy import default
from functools import partial
from pathlib import Path

import httpx
import pytest
from support import infra
from support.accounts import verified_customer
from support.jetstream import facts, waiting
from support.replicas import Replica, end, launch, ready
from support.waiting import eventually

from contracts.common import Channel
from contracts.subjects import TICKET_OPENED_V1, TICKET_REPLIED_V1, TICKET_REQUESTED_V1
from contracts.tickets import TicketRequestedV1, ticket_id_for
from devstack.infra import Endpoints
from devstack.nats import NatsServer
from devstack.services import spec_named
from plumbing.bus import Bus

pytestmark = pytest.mark.e2e
OUTAGE_S = 30  # the figure
CUSTOMERS = 6  # each opens ~15 tickets: under the notifier's 30 mails per address and hour
ANSWER_WITHIN_S = 15  # every request is answered, even if refused, within this: none hangs
REQUESTS = 10  # ticket requests put on the intake stream just before the outage, and again just after


@pytest.fixture
async def fleet(
    own_nats: NatsServer, servers: infra.Session, tmp_path: Path
) -> AsyncIterator[dict[str, Replica]]:
    """tickets (a relay and the intake durable), notifier and insights (durables) and the gateway."""
    mail = servers.mail
    smtp = Endpoints(smtp_host=mail.smtp_host, smtp_port=mail.smtp_port)
    gateway = spec_named("gateway")
    replicas = {
        name: launch(
            spec_named(name),
            name,
            own_nats.url,
            servers.database(spec_named(name).module),
            tmp_path,
            endpoints=smtp if name == "notifier" else None,
            # Load from few accounts: the per-customer budgets would refuse it (429), not the outage.
            env={gateway.env_prefix + "RATE_LIMITS": "false"} if name == "gateway" else None,
        )
        for name in ("tickets", "notifier", "insights", "gateway")
    }
    try:
        for replica in replicas.values():
            await eventually(
                partial(ready, replica), timeout=60, what=f"{replica.name} ready\n{replica.tail()}"
            )
        yield replicas
    finally:
        end(list(replicas.values()))


@dataclass(frozen=True)
class Attempt:
    """One request of the load and how it ended."""

    kind: str  # "open" or "reply"
    text: str  # the ticket's subject or the reply's body: unique, so it can be found afterwards
    sent: float
    status: int  # 0: no answer within ANSWER_WITHIN_S
    error: str = ""  # a refusal's reason code
    ticket_id: str = ""  # of a ticket opened


@dataclass
class Customer:
    """A verified customer's HTTP client and every request it made."""

    tag: str
    client: httpx.AsyncClient
    attempts: list[Attempt] = field(default_factory=list)

    def texts(self, kind: str, *statuses: int) -> set[str]:
        """The subjects or bodies of its ``kind`` requests answered with one of ``statuses``."""
        return {a.text for a in self.attempts if a.kind == kind and a.status in statuses}

    def answered_since(self, moment: float) -> bool:
        """True once a request sent after ``moment`` succeeded."""
        return any(a.sent > moment and a.status in (200, 201) for a in self.attempts)


async def keep_busy(customer: Customer, stop: asyncio.Event) -> None:
    """Open tickets and answer the first one, one request at a time, until ``stop``; nothing is retried."""
    n = 0
    while not stop.is_set():
        n += 1
        key = f"{customer.tag}-{n}"
        first = next((a.ticket_id for a in customer.attempts if a.kind == "open" and a.status == 201), None)
        if first is not None and n % 3 == 0:
            kind, text = "reply", f"Resposta {key}"
            path, body = f"/api/v1/tickets/{first}/replies", {"body": text}
        else:
            kind, text = "open", f"Pedido {key}"
            path, body = "/api/v1/tickets", {"subject": text, "description": "Preciso de ajuda."}
        sent = time.monotonic()
        try:
            answer = await customer.client.post(path, json=body, headers={"Idempotency-Key": key})
        except httpx.TimeoutException:
            customer.attempts.append(Attempt(kind, text, sent, 0))
            continue
        ok = answer.status_code in (200, 201)
        customer.attempts.append(
            Attempt(
                kind,
                text,
                sent,
                answer.status_code,
                "" if ok else answer.json().get("error", answer.text),
                answer.json()["id"] if ok and kind == "open" else "",
            )
        )
        await asyncio.sleep(0.2 if ok else 0.5)


async def request_tickets(bus: Bus, token: str, numbers: range) -> None:
    """Ticket requests as mail-ingest makes them from new mail, each from its own sender."""
    for n in numbers:
        message_id = f"<m{n}-{token}@example.com>"
        request = TicketRequestedV1(
            request_id=f"email:{message_id}",
            channel=Channel.EMAIL,
            customer_email=f"m{n}-{token}@example.com",
            subject=f"Pedido por email {token}-{n}",
            body="Preciso da segunda via.",
            source_ref=message_id,
            received_at=datetime.now(UTC),
        )
        await bus.publish(TICKET_REQUESTED_V1, request, message_id=f"mail:{message_id}")


def receipts(mail: infra.Mail, ticket_ids: set[str]) -> Counter[str]:
    """How many receipts the SMTP server delivered for each of ``ticket_ids`` (by their Message-ID)."""
    wanted = {f"<ticket-{ticket_id}@atende.local>": ticket_id for ticket_id in ticket_ids}
    seen: Counter[str] = Counter()
    for path in (mail.maildir_root / "outbox" / "new").iterdir():
        headers = BytesParser(policy=default).parsebytes(path.read_bytes(), headersonly=True)
        if (ticket_id := wanted.get(str(headers["Message-ID"]))) is not None:
            seen[ticket_id] += 1
    return seen


async def listed(customer: Customer) -> Counter[str]:
    """The customer's tickets as the portal lists them, by subject."""
    page = await customer.client.get("/api/v1/tickets", params={"limit": "200"})
    assert page.status_code == 200, page.text
    return Counter(t["subject"] for t in page.json()["tickets"])


async def backlog(replicas: list[Replica]) -> dict[str, float]:
    """What their durables and relays say they still have to do, by labels (atende_* gauges on /metrics)."""
    gauges = ("atende_consumer_pending_messages", "atende_relay_lag_events")
    return {labels: value for r in replicas for name, labels, value in await r.metrics() if name in gauges}


async def test_nats_down_for_30_s_under_load_loses_no_acknowledged_request_and_all_resumes_by_itself(
    own_nats: NatsServer, fleet: dict[str, Replica], servers: infra.Session
) -> None:
    gateway, token = fleet["gateway"], secrets.token_hex(4)
    pids = {name: replica.process.pid for name, replica in fleet.items()}
    bus = await Bus.connect(own_nats.url, "outage-test")
    customers = []
    for i in range(CUSTOMERS):
        client = httpx.AsyncClient(base_url=gateway.url, timeout=ANSWER_WITHIN_S)
        customers.append(
            Customer(f"{token}-{i}", await verified_customer(client, f"c{i}-{token}@example.com"))
        )
    stop = asyncio.Event()
    load = asyncio.gather(*(keep_busy(customer, stop) for customer in customers))
    try:
        await eventually(
            lambda: all(c.texts("reply", 201) for c in customers), timeout=30, what="every customer served"
        )
        await request_tickets(bus, token, range(REQUESTS))

        await asyncio.to_thread(own_nats.stop)
        down = time.monotonic()
        await asyncio.sleep(OUTAGE_S)  # the outage itself: the load goes on meanwhile
        await asyncio.to_thread(own_nats.start)
        up = time.monotonic()
        await eventually(lambda: bus.connected, timeout=20, what="the test's own connection back")
        await request_tickets(bus, token, range(REQUESTS, 2 * REQUESTS))
        await eventually(
            lambda: all(c.answered_since(up) for c in customers), timeout=60, what="customers served again"
        )
    finally:
        stop.set()
        await load
    try:
        attempts = [a for c in customers for a in c.attempts]
        print(f"{len(attempts)} requests: {Counter((a.status, a.error) for a in attempts)}")
        assert all(a.status for a in attempts), f"each request answered within {ANSWER_WITHIN_S} s"
        during = [a for a in attempts if down < a.sent < up - 5]  # sent well inside the outage
        assert during and all(a.status >= 500 for a in during), "requests met the outage"
        refusals = Counter((a.status, a.error) for a in attempts if a.status not in (200, 201))
        assert set(refusals) <= {(503, "unavailable"), (504, "timeout")}, refusals

        # Every acknowledged ticket is listed once; a 504's may be there too (its outcome was unknown).
        async def all_listed() -> bool:
            return all([c.texts("open", 201) <= set(await listed(c)) for c in customers])

        await eventually(all_listed, timeout=60, what="every acknowledged ticket listed")
        for customer in customers:
            tickets = await listed(customer)
            assert max(tickets.values()) == 1, tickets
            assert set(tickets) <= customer.texts("open", 201, 504), "503: never sent, so never opened"

        # Every ticket on the stream once, the relay having caught up by itself; the same for replies.
        requested = {f"Pedido por email {token}-{n}" for n in range(2 * REQUESTS)}
        portal = {text for c in customers for text in (await listed(c))}

        async def all_published() -> bool:
            subjects = {f["subject"] for f in await facts(bus, TICKET_OPENED_V1, idle_s=0.5)}
            return requested | portal <= subjects

        await eventually(all_published, timeout=60, what="every ticket published")
        opened = [f for f in await facts(bus, TICKET_OPENED_V1) if token in f["subject"]]
        assert Counter(f["subject"] for f in opened) == Counter(requested | portal), "each once"
        assert {f["ticket_id"] for f in opened if f["subject"] in requested} == {
            ticket_id_for(f"email:<m{n}-{token}@example.com>") for n in range(2 * REQUESTS)
        }
        replies = Counter(f["body"] for f in await facts(bus, TICKET_REPLIED_V1) if token in f["body"])
        acknowledged = {text for c in customers for text in c.texts("reply", 201)}
        assert acknowledged and acknowledged <= set(replies) and max(replies.values()) == 1, replies
        for customer in customers:
            first = next(a.ticket_id for a in customer.attempts if a.ticket_id)
            history = (await customer.client.get(f"/api/v1/tickets/{first}")).text
            assert all(history.count(text) == 1 for text in customer.texts("reply", 201)), history

        # One receipt per ticket, sent by the notifier once it could read the stream again.
        ticket_ids = {f["ticket_id"] for f in opened}
        await eventually(
            lambda: set(receipts(servers.mail, ticket_ids)) == ticket_ids, timeout=60, what="every receipt"
        )
        assert max(receipts(servers.mail, ticket_ids).values()) == 1

        # Every durable drained and every relay caught up, as JetStream and the services' gauges say.
        async def drained() -> bool:
            pending = {**await waiting(bus), **await backlog(list(fleet.values()))}
            return not any(pending.values())

        await eventually(drained, timeout=60, what="every durable at 0")
        print(f"every durable at 0 {time.monotonic() - up:.1f} s after NATS came back")
        durables = {"tickets-intake", "notifier-tickets", "insights-tickets"}
        assert durables <= {name.split("/")[1] for name in await waiting(bus)}
        gauges = set(await backlog(list(fleet.values())))
        assert {f'consumer="{d}"' for d in durables} | {'app="Tickets"'} <= gauges, gauges
        # By themselves: the same processes, each of which lost NATS and found it again.
        assert {name: r.process.pid for name, r in fleet.items() if r.process.poll() is None} == pids
        assert all("nats.reconnected" in r.log.read_text() for r in fleet.values())
    finally:
        for customer in customers:
            await customer.client.aclose()
        await bus.close()

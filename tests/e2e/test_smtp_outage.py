"""SMTP down for two minutes while tickets keep changing: the notifier waits, then mails everything once.

Real processes: tickets and notifier (tests/support/replicas.py) on a NATS of the test's own, an SMTP
server of the test's own (devstack's DevSmtp) stopped for ``OUTAGE_S`` and started again on the same
port. The notifier's ack wait (2 s) and max deliver (2) are made small through its environment, so
the outage spans some sixty ack waits and many times the deliveries that would dead-letter a failing
mail: held mails must neither be redelivered into a dead letter nor lost.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from email.parser import BytesParser
from email.policy import default
from pathlib import Path

import psycopg
import pytest
from support import infra
from support.replicas import Replica, launch, ready
from support.waiting import eventually

from contracts.common import ActorKind
from contracts.subjects import (
    DEADLETTER,
    NOTIFIER_TICKETS_DURABLE,
    OPEN_TICKET_V1,
    REPLY_TO_TICKET_V1,
    TICKETS,
)
from contracts.ticket_commands import OpenTicketV1, ReplyToTicketV1, TicketV1
from devstack.infra import Endpoints
from devstack.nats import NatsServer
from devstack.procs import free_port
from devstack.services import spec_named
from devstack.smtp import DevSmtp
from plumbing.bus import Bus

pytestmark = pytest.mark.e2e
OUTAGE_S = 120  # the "SMTP down for minutes"
EVERY_S = 4.0  # a ticket opened and the one before it answered, this often during the outage


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[DevSmtp]:
    server = DevSmtp(port=free_port(), maildir_root=tmp_path / "mail")
    server.start()
    yield server
    server.stop()


def delivered(smtp: DevSmtp, domain: str) -> Counter[str]:
    """Mails the SMTP server delivered to ``domain``, by Message-ID."""
    seen: Counter[str] = Counter()
    for path in (smtp.maildir_root / "outbox" / "new").iterdir():
        headers = BytesParser(policy=default).parsebytes(path.read_bytes(), headersonly=True)
        if str(headers["To"]).rstrip(">").endswith(f"@{domain}"):
            seen[str(headers["Message-ID"])] += 1
    return seen


def sent_per_address(database: str) -> dict[str, list[str]]:
    """What the notifier recorded as sent, by address: the kinds of mail, sorted."""
    with psycopg.connect(database) as conn:
        found = conn.execute(
            "SELECT address, kind FROM mail_log WHERE outcome = 'sent' ORDER BY address, kind"
        ).fetchall()
    kinds: dict[str, list[str]] = {}
    for address, kind in found:
        kinds.setdefault(address, []).append(kind)
    return kinds


async def failed_sends(notifier: Replica) -> float:
    samples = await notifier.metrics()
    return sum(v for n, labels, v in samples if n == "atende_emails_total" and 'outcome="failed"' in labels)


async def lag(notifier: Replica) -> float | None:
    samples = await notifier.metrics()
    wanted = f'consumer="{NOTIFIER_TICKETS_DURABLE.name}"'
    found = [v for n, labels, v in samples if n == "atende_consumer_pending_messages" and wanted in labels]
    return found[0] if found else None


async def started(replica: Replica, running: list[Replica]) -> Replica:
    running.append(replica)
    await eventually(lambda: ready(replica), timeout=60, what=f"{replica.name} ready\n{replica.tail()}")
    return replica


@pytest.mark.timeout(600)  # the two minutes of the outage, then generous room on a busy machine
async def test_two_minutes_without_smtp_every_mail_arrives_once_and_nothing_is_dead_lettered(
    servers: infra.Session,
    own_nats: NatsServer,
    smtp: DevSmtp,
    bus: Bus,
    tmp_path: Path,
    running: list[Replica],
) -> None:
    """Held through the outage (failed sends counted and logged with why), then each mail sent once."""
    domain = f"o{uuid.uuid4().hex[:8]}.example.com"
    tickets_spec, notifier_spec = spec_named("tickets"), spec_named("notifier")
    tickets = launch(tickets_spec, "tickets", own_nats.url, servers.database("tickets"), tmp_path)
    await started(tickets, running)
    prefix = notifier_spec.env_prefix
    policy = {
        prefix + "CONSUMER_ACK_WAIT_S": "2",
        prefix + "CONSUMER_MAX_DELIVER": "2",
        prefix + "CONSUMER_BACKOFF_S": "[0.5,1]",
    }
    mail_db = servers.database("notifier")
    ends = Endpoints(smtp_host=smtp.host, smtp_port=smtp.port)
    notifier = launch(notifier_spec, "notifier", own_nats.url, mail_db, tmp_path, endpoints=ends, env=policy)
    await started(notifier, running)
    pid = notifier.process.pid
    opened: list[TicketV1] = []

    async def change(i: int) -> None:
        """Open ticket ``i`` and answer the one before it, as the portal and an agent would."""
        command = OpenTicketV1(
            request_id=f"{domain}-{i}",
            customer_email=f"cliente{i}@{domain}",
            customer_name=f"Cliente {i}",
            subject=f"Pedido {i}",
            body="Preciso da segunda via.",
        )
        opened.append(await bus.request(OPEN_TICKET_V1, command, TicketV1, timeout=30))
        if i > 0:
            reply = ReplyToTicketV1(
                ticket_id=opened[i - 1].ticket_id,
                actor_kind=ActorKind.AGENT,
                actor="ana",
                reply_id=f"reply-{i - 1}",
                body="Segue a segunda via.",
            )
            await bus.request(REPLY_TO_TICKET_V1, reply, TicketV1, timeout=30)

    await change(0)
    await eventually(lambda: len(delivered(smtp, domain)) == 1, timeout=30, what="mail before the outage")

    smtp.stop()
    down_at = time.monotonic()
    i = 1
    while time.monotonic() - down_at < OUTAGE_S:
        await change(i)
        i += 1
        await asyncio.sleep(EVERY_S)
    # Meanwhile: the failures are counted and the log says why, the process never restarted.
    assert await failed_sends(notifier) >= 10, notifier.tail()
    log = notifier.log.read_text(errors="replace")
    assert "consumer.dependency_away" in log and "smtp_unavailable" in log, notifier.tail()
    assert "Connection refused" in log, "the log names the cause, not only that SMTP is away"
    assert len(delivered(smtp, domain)) == 1, "nothing could be sent while the server was down"
    smtp.start()

    changes = i
    await eventually(
        lambda: len(delivered(smtp, domain)) == 2 * changes - 1,
        timeout=120,
        what=f"every receipt and answer after the outage\n{notifier.tail()}",
    )
    info = await bus.js.consumer_info(TICKETS.name, NOTIFIER_TICKETS_DURABLE.name)
    assert (info.num_pending, info.num_ack_pending) == (0, 0), info

    async def no_lag() -> bool:
        return await lag(notifier) == 0

    await eventually(no_lag, what="the lag gauge back to 0")
    assert max(delivered(smtp, domain).values()) == 1, "a mail sent twice"
    # Each ticket: its receipt, and the agent's answer (all but the last, which nobody answered).
    kinds = sent_per_address(mail_db)
    assert kinds == {
        f"cliente{n}@{domain}": ["opened"] if n == changes - 1 else ["opened", "replied"]
        for n in range(changes)
    }
    dead = await bus.js.stream_info(DEADLETTER.name)
    assert dead.state.messages == 0, "a mail held through the outage was dead-lettered"
    assert notifier.process.poll() is None and notifier.process.pid == pid, "the notifier restarted"

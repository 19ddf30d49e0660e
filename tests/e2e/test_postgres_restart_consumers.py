"""PostgreSQL crashed while the consumers work: notifier, insights and mail-ingest wait, then do each thing once.

The notifier and insights (durable consumers of the TICKETS stream) and mail-ingest (an IMAP poller)
run as real processes on a PostgreSQL server of this test's own. Ticket facts go on JetStream and
mails into the support mailbox steadily before, during and after the server is stopped in immediate
mode (a crash: open transactions are lost, what was committed comes back from the WAL) and started
again on the same data. Nothing is restarted. The consumers' ack wait (2 s) and max deliver (2) are
small, so the outage spans several ack waits and would dead-letter anything it made fail twice.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import default
from functools import partial
from pathlib import Path

import psycopg
import pytest
from imapclient import IMAPClient
from support import infra
from support.jetstream import facts, waiting
from support.own_postgres import OwnPostgres, restartable_postgres
from support.replicas import Replica, launch, ready
from support.ticket_facts import ticket_life
from support.waiting import eventually

from contracts.subjects import (
    DEADLETTER,
    TICKET_REQUESTED_V1,
)
from devstack.infra import Endpoints
from devstack.nats import NatsServer
from devstack.postgres import ensure_database
from devstack.services import spec_named
from plumbing.bus import Bus

pytestmark = pytest.mark.e2e
OUTAGE_S = 3  # PostgreSQL stays down at least this long
FACT_EVERY_S, MAIL_EVERY_S = 0.05, 0.25  # the steady load: 20 ticket facts and 4 mails a second


@pytest.fixture
def own_postgres() -> Iterator[OwnPostgres]:
    with restartable_postgres() as server:
        yield server


@dataclass
class Load:
    """What was published and mailed in, and when to stop."""

    tag: str
    facts: list[str] = field(default_factory=list)  # message ids, in publishing order
    mails: list[str] = field(default_factory=list)  # Message-IDs of the mails put in the mailbox
    stopping: asyncio.Event = field(default_factory=asyncio.Event)


async def publish_facts(load: Load, bus: Bus) -> None:
    """Ticket lives on the TICKETS stream, one fact every FACT_EVERY_S, until told to stop."""
    i = 0
    while not load.stopping.is_set():
        for subject, fact, message_id in ticket_life(load.tag, i):
            await bus.publish(subject, fact, message_id=message_id)
            load.facts.append(message_id)
            await asyncio.sleep(FACT_EVERY_S)
        i += 1


def append(mail: infra.Mail, folder: str, raw: bytes | None = None) -> None:
    """Put a mail in ``folder`` of the support mailbox (None: only create the folder)."""
    with IMAPClient(mail.imap_host, port=mail.imap_port, ssl=False, timeout=10) as client:
        client.login(mail.imap_user, mail.imap_password)
        if not client.folder_exists(folder):
            client.create_folder(folder)
        if raw is not None:
            client.append(folder, raw)


async def mail_in(load: Load, mail: infra.Mail, folder: str) -> None:
    """A customer's mail into the mailbox every MAIL_EVERY_S, each from its own sender, until told to stop."""
    i = 0
    while not load.stopping.is_set():
        message_id = f"<m{i}-{load.tag}@example.com>"
        text = (
            f"From: Cliente {i} <c{i}-{load.tag}@example.com>\nSubject: Pedido {i}\n"
            f"Message-ID: {message_id}\n\nPreciso da segunda via {i}.\n"
        )
        await asyncio.to_thread(append, mail, folder, text.replace("\n", "\r\n").encode())
        load.mails.append(message_id)
        i += 1
        await asyncio.sleep(MAIL_EVERY_S)


def delivered(mail: infra.Mail, domain: str) -> Counter[str]:
    """Mails the SMTP server delivered to addresses at ``domain``, by Message-ID."""
    seen: Counter[str] = Counter()
    for path in (mail.maildir_root / "outbox" / "new").iterdir():
        headers = BytesParser(policy=default).parsebytes(path.read_bytes(), headersonly=True)
        if str(headers["To"]).rstrip(">").endswith(f"@{domain}"):
            seen[str(headers["Message-ID"])] += 1
    return seen


def rows(url: str, query: str) -> list[tuple[object, ...]]:
    """The rows of ``query``; nothing while the server is away (a poll tries again)."""
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            return conn.execute(query).fetchall()
    except psycopg.OperationalError:
        return []


def count(url: str, query: str) -> int:
    found = rows(url, query)
    return int(str(found[0][0])) if found else -1


async def test_consumers_hold_their_work_through_a_postgres_crash_and_do_each_thing_once(
    own_postgres: OwnPostgres,
    own_nats: NatsServer,
    bus: Bus,
    servers: infra.Session,
    tmp_path: Path,
    running: list[Replica],
) -> None:
    mail, load = servers.mail, Load(f"p{uuid.uuid4().hex[:8]}")
    domain, folder = f"{load.tag}.example.com", f"pg{load.tag}"
    await asyncio.to_thread(append, mail, folder)
    ends = Endpoints(
        smtp_host=mail.smtp_host, smtp_port=mail.smtp_port, imap_host=mail.imap_host,
        imap_port=mail.imap_port, imap_user=mail.imap_user, imap_password=mail.imap_password,
    )  # fmt: skip
    db: dict[str, str] = {}
    for service in ("notifier", "insights", "mail-ingest"):
        spec, p = spec_named(service), spec_named(service).env_prefix
        db[service] = ensure_database(own_postgres.url, f"atende_{spec.module}")
        policy = {
            p + "CONSUMER_ACK_WAIT_S": "2",
            p + "CONSUMER_MAX_DELIVER": "2",
            p + "CONSUMER_BACKOFF_S": "[0.5,1]",
        }
        env = {p + "IMAP_MAILBOX": folder, p + "POLL_S": "0.5"} if service == "mail-ingest" else policy
        running.append(launch(spec, service, own_nats.url, db[service], tmp_path, endpoints=ends, env=env))
    notifier, insights, ingest = running
    for replica in running:
        await eventually(partial(ready, replica), timeout=60, what=f"{replica.name} ready\n{replica.tail()}")
    pids = [r.process.pid for r in running]

    def mailed() -> int:
        return len(delivered(mail, domain))

    def kept() -> int:
        return count(db["insights"], "SELECT count(*) FROM facts")

    def seen() -> int:
        return count(db["mail-ingest"], "SELECT count(*) FROM seen_mail")

    lanes = [asyncio.create_task(publish_facts(load, bus)), asyncio.create_task(mail_in(load, mail, folder))]
    try:
        await eventually(
            lambda: mailed() >= 20 and kept() >= 20 and seen() >= 4, timeout=60, what="the work under way"
        )
        down = time.monotonic()
        await asyncio.to_thread(own_postgres.stop, "immediate")
        at_crash = (len(load.facts), len(load.mails))
        for replica in (notifier, insights):  # each consumer met the outage with a message in hand
            await eventually(
                partial(logged, replica, "consumer.dependency_away"),
                timeout=30,
                what=f"{replica.name} holding a message\n{replica.tail()}",
            )
        await asyncio.sleep(max(0.0, down + OUTAGE_S - time.monotonic()))  # the outage itself, not a wait
        await asyncio.to_thread(own_postgres.start)
        up, at_start = time.monotonic(), (len(load.facts), len(load.mails))
        # The load goes on after the start until each lane put in a good share more; nothing restarts.
        await eventually(
            lambda: len(load.facts) >= at_start[0] + 30 and len(load.mails) >= at_start[1] + 6,
            timeout=60,
            what="the load after the restart",
        )
        load.stopping.set()
        await asyncio.wait_for(asyncio.gather(*lanes), timeout=30)
    finally:
        load.stopping.set()
        for lane in lanes:
            lane.cancel()
        await asyncio.gather(*lanes, return_exceptions=True)

    n, m = len(load.facts), len(load.mails)
    await eventually(
        lambda: kept() == n and mailed() == n and seen() == m,
        timeout=60,
        what=f"every fact kept and mailed, every mail seen\n{notifier.tail()}\n{insights.tail()}\n{ingest.tail()}",
    )
    caught_up, during = time.monotonic() - up, at_start[0] - at_crash[0]
    resent = sum(delivered(mail, domain).values()) - n
    print(
        f"PostgreSQL down {up - down:.1f} s; {n} facts ({during} during the outage, {n - at_start[0]} "
        f"after it), {m} mails in; "
        f"all done {caught_up:.1f} s after the start; {resent} mail(s) sent again"
    )
    assert [r.process.poll() for r in running] == [None] * 3, "every service still runs"
    assert [r.process.pid for r in running] == pids, "nothing was restarted"
    assert during > 0 and at_start[1] > at_crash[1], "facts and mails came in while PostgreSQL was down"
    assert logged(ingest, "worker.failed", "mail-ingest-poller"), "mail-ingest's poller met the outage too"

    # insights: every fact kept once, and each ticket's record folded from all three.
    assert sorted(str(r[0]) for r in rows(db["insights"], "SELECT message_id FROM facts")) == sorted(
        load.facts
    )
    assert n % 3 == 0, "the lane stops between two tickets"
    records = "SELECT count(*), count(finished_at), count(first_responder) FROM ticket_records"
    assert rows(db["insights"], records) == [(n // 3, n // 3, n // 3)]

    # notifier: one mail recorded as sent per fact; at the SMTP server one Message-ID per fact. The one
    # mail SMTP had accepted when the crash undid its record may be sent again, with the same Message-ID
    # (no transaction spans SMTP and PostgreSQL; receivers collapse the two).
    sent = "SELECT count(*), count(DISTINCT event_id), count(*) FILTER (WHERE outcome = 'sent') FROM mail_log"
    assert rows(db["notifier"], sent) == [(n, n, n)]
    assert 0 <= resent <= 1, delivered(mail, domain).most_common(3)

    # mail-ingest: each mail recorded once and requested once on the intake stream.
    assert rows(db["mail-ingest"], "SELECT count(DISTINCT message_id) FROM seen_mail") == [(m,)]
    requested = Counter(fact["request_id"] for fact in await facts(bus, TICKET_REQUESTED_V1))
    assert requested == Counter(f"email:{message_id}" for message_id in load.mails)

    # The durables drained and nothing was dead-lettered.
    async def drained() -> bool:
        return set((await waiting(bus)).values()) == {0}

    await eventually(drained, timeout=30, what="every durable drained")
    assert (await bus.js.stream_info(DEADLETTER.name)).state.messages == 0, "something was dead-lettered"


def logged(replica: Replica, *words: str) -> bool:
    """Whether a line of the replica's log holds every one of ``words``."""
    lines = replica.log.read_text(errors="replace").splitlines()
    return any(all(word in line for word in words) for line in lines)

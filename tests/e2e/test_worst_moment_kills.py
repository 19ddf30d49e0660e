"""kill -9 at the worst moments, for real: each service dies by SIGKILL at one exact line.

A crash point (``plumbing/crashpoints.py``) makes the process send itself SIGKILL at a named line when
``ATENDE_CRASHPOINT`` names it. Each test starts the real service processes with one point armed,
drives work through them until the process dies (exit -9, the point's line in its log), checks that
the worst moment was really reached (published but not saved, sent but not recorded…), starts it
again without the point and counts: nothing lost, nothing twice.

The notifier's two points run together in one module fixture, each with its own NATS: a message the
killed process held is redelivered only after the durable's ack wait (3 s here), and the two waits
overlap instead of adding up.
"""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
import time
import uuid
from collections import Counter
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from email.parser import BytesParser
from email.policy import default
from pathlib import Path
from typing import TypeVar

import nats.errors
import psycopg
import pytest
from imapclient import IMAPClient
from psycopg import sql
from support import infra
from support.jetstream import message_ids
from support.replicas import Replica, end, launch, ready
from support.waiting import eventually

from contracts import Message
from contracts.chat import ConversationV1
from contracts.chat_commands import (
    AcceptChatV1,
    ChatMessageAckV1,
    PostChatMessageV1,
    PresenceStateV1,
    SetPresenceV1,
    StartChatV1,
)
from contracts.common import ActorKind, Channel
from contracts.subjects import (
    ACCEPT_CHAT_V1,
    NOTIFIER_TICKETS_DURABLE,
    OPEN_TICKET_V1,
    POST_CHAT_MESSAGE_V1,
    SET_PRESENCE_V1,
    START_CHAT_V1,
    TICKET_OPENED_V1,
    TICKET_REQUESTED_V1,
    TICKETS,
    TICKETS_INTAKE,
)
from contracts.ticket_commands import OpenTicketV1, TicketV1
from contracts.tickets import TicketOpenedV1, TicketStatus
from devstack.infra import Endpoints
from devstack.nats import NatsServer
from devstack.procs import free_port
from devstack.services import spec_named
from plumbing.bus import Bus, RemoteError
from plumbing.crashpoints import VARIABLE

pytestmark = pytest.mark.e2e
M = TypeVar("M", bound=Message)


# --- shared -----------------------------------------------------------------------------------------


def armed(point: str) -> dict[str, str]:
    return {VARIABLE: point}


async def started(replica: Replica, running: list[Replica]) -> Replica:
    running.append(replica)
    await eventually(lambda: ready(replica), timeout=60, what=f"{replica.name} ready\n{replica.tail()}")
    return replica


async def killed_at(replica: Replica, point: str) -> None:
    """Wait until the process died by SIGKILL at ``point`` (its own line in the log says where)."""
    await eventually(lambda: replica.process.poll() is not None, timeout=60, what=f"the kill at {point}")
    assert replica.process.returncode == -9, f"{replica.name} exited {replica.process.returncode}"
    assert f"crashpoint {point}@" in replica.tail(20_000), replica.tail()


async def unarmed(replica: Replica, running: list[Replica]) -> Replica:
    """The killed process started again, without the crash point (a pod restarted)."""
    env = {k: v for k, v in replica.env.items() if k != VARIABLE}
    return await started(dataclasses.replace(replica, env=env).again(), running)


async def insist(bus: Bus, subject: str, command: Message, reply: type[M]) -> M:
    """Send until it is answered: the kill catches requests in flight; each retry is idempotent."""
    deadline = time.monotonic() + 90
    while True:
        try:
            return await bus.request(subject, command, reply, timeout=3)
        except (TimeoutError, nats.errors.NoRespondersError):
            pass
        except RemoteError as error:  # a service going down answers 503 at most
            if error.code != "503":
                raise
        assert time.monotonic() < deadline, f"{command!r} never answered"
        await asyncio.sleep(0.2)


def rows(url: str, query: str | sql.Composed, *params: object) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(query, params).fetchall()


def count(url: str, query: str | sql.Composed, *params: object) -> int:
    [(found,)] = rows(url, query, *params)
    assert found is None or isinstance(found, int)
    return found or 0


async def duplicates_dropped(replica: Replica) -> float:
    """Publishes JetStream acknowledged as duplicates of a stored Nats-Msg-Id (and did not store)."""
    samples = await replica.metrics()
    return sum(
        v
        for n, labels, v in samples
        if n == "atende_messages_published_total" and 'duplicate="true"' in labels
    )


def open_ticket(n: int, tag: str) -> OpenTicketV1:
    return OpenTicketV1(
        request_id=f"{tag}-{n}",
        customer_email=f"c{n}@{tag}.example.com",
        subject=f"Pedido {n}",
        body="Ajuda.",
    )


# --- relay ------------------------------------------------------------------------------------------


async def test_the_relay_killed_after_the_puback_before_saving_its_position_publishes_each_event_once(
    servers: infra.Session, own_nats: NatsServer, bus: Bus, tmp_path: Path, running: list[Replica]
) -> None:
    spec, tag, n = spec_named("tickets"), uuid.uuid4().hex[:8], 12
    database = servers.database(spec.module)
    tickets = launch(spec, "tickets", own_nats.url, database, tmp_path, env=armed("relay.after_puback"))
    tickets = await started(tickets, running)
    opening = asyncio.gather(*(insist(bus, OPEN_TICKET_V1, open_ticket(i, tag), TicketV1) for i in range(n)))
    await killed_at(tickets, "relay.after_puback")

    # The worst moment: JetStream acknowledged events whose position the relay never saved.
    at_kill = (await bus.js.stream_info(TICKETS.name)).state.messages
    assert at_kill >= 1
    saved = "SELECT count(*) FROM tickets_relay_position WHERE application_name <> '__migration__'"
    assert count(database, saved) == 0, "no position saved"
    again = await unarmed(tickets, running)
    opened = {reply.ticket_id for reply in await opening}
    assert len(opened) == n

    async def all_out() -> bool:
        return len(await message_ids(bus, TICKET_OPENED_V1)) == n

    await eventually(all_out, timeout=30, what="every ticket's TicketOpened on the stream")
    everything = await message_ids(bus, "atende.tickets.events.>")
    assert max(everything.values()) == 1, "no event twice on the stream"
    assert sum(everything.values()) == (await bus.js.stream_info(TICKETS.name)).state.messages
    assert {m.split(":")[1] for m in await message_ids(bus, TICKET_OPENED_V1)} == opened
    dropped = await duplicates_dropped(again)
    assert dropped >= at_kill, "the restarted relay republished, JetStream dropped"
    print(
        f"relay: {at_kill} event(s) acknowledged and unsaved at the kill; {dropped:.0f} republish(es) dropped"
    )


# --- mail-ingest ------------------------------------------------------------------------------------


def put_mails(mail: infra.Mail, folder: str, raws: list[bytes]) -> None:
    with IMAPClient(mail.imap_host, port=mail.imap_port, ssl=False, timeout=10) as client:
        client.login(mail.imap_user, mail.imap_password)
        client.create_folder(folder)
        for raw in raws:
            client.append(folder, raw)


def processed(mail: infra.Mail, folder: str) -> list[bool]:
    """For each mail in ``folder``: whether mail-ingest flagged it handled."""
    with IMAPClient(mail.imap_host, port=mail.imap_port, ssl=False, timeout=10) as client:
        client.login(mail.imap_user, mail.imap_password)
        client.select_folder(folder, readonly=True)
        found = client.get_flags(client.search(["ALL"])).values()
        return [b"$AtendeProcessed" in flags for flags in found]


async def test_mail_ingest_killed_after_publishing_before_flagging_opens_one_ticket_per_mail(
    servers: infra.Session, own_nats: NatsServer, bus: Bus, tmp_path: Path, running: list[Replica]
) -> None:
    mail, token, n = servers.mail, secrets.token_hex(6), 5
    folder = f"k{token}"
    raws = [
        (
            f"From: Cliente {i} <c{i}-{token}@example.com>\r\nSubject: Pedido {i}\r\n"
            f"Message-ID: <m{i}-{token}@example.com>\r\n\r\nPreciso da segunda via {i}.\r\n"
        ).encode()
        for i in range(n)
    ]
    await asyncio.to_thread(put_mails, mail, folder, raws)
    tickets_spec, spec = spec_named("tickets"), spec_named("mail-ingest")
    tickets_db, database = servers.database(tickets_spec.module), servers.database(spec.module)
    ends = Endpoints(
        imap_host=mail.imap_host, imap_port=mail.imap_port,
        imap_user=mail.imap_user, imap_password=mail.imap_password,
    )  # fmt: skip
    env = {spec.env_prefix + "IMAP_MAILBOX": folder, spec.env_prefix + "POLL_S": "0.5"}
    tickets = launch(tickets_spec, "tickets", own_nats.url, tickets_db, tmp_path)
    ingest = launch(
        spec, "mail-ingest", own_nats.url, database, tmp_path, endpoints=ends,
        env=env | armed("mail_ingest.after_publish"),
    )  # fmt: skip
    running.append(ingest)
    await started(tickets, running)
    await killed_at(ingest, "mail_ingest.after_publish")

    # The worst moment: the request is on the intake stream, the mail neither recorded nor flagged.
    assert (await bus.js.stream_info(TICKETS_INTAKE.name)).state.messages == 1
    assert count(database, "SELECT count(*) FROM seen_mail") == 0
    assert not any(await asyncio.to_thread(processed, mail, folder))
    again = await unarmed(ingest, running)

    async def all_flagged() -> bool:
        return all(await asyncio.to_thread(processed, mail, folder))

    await eventually(all_flagged, timeout=30, what="every mail flagged")
    requested = await message_ids(bus, TICKET_REQUESTED_V1)
    assert requested == Counter({f"mail:<m{i}-{token}@example.com>": 1 for i in range(n)})
    assert await duplicates_dropped(again) == 1, "the first mail was published again and dropped"
    senders, like = "SELECT customer_email FROM ticket_summary WHERE customer_email LIKE %s", f"%{token}%"

    def every_ticket() -> bool:
        return len(rows(tickets_db, senders, like)) >= n

    await eventually(every_ticket, timeout=30, what="a ticket per mail")
    assert Counter(e for (e,) in rows(tickets_db, senders, like)) == {
        f"c{i}-{token}@example.com": 1 for i in range(n)
    }
    assert rows(database, "SELECT count(*), count(DISTINCT message_id) FROM seen_mail") == [(n, n)]


# --- notifier ---------------------------------------------------------------------------------------


@dataclasses.dataclass
class NotifierRun:
    """What one notifier killed at ``point`` and restarted did: mails (To, Message-ID) and records."""

    point: str
    addresses: list[str]
    at_kill: list[tuple[str, str]]  # mails the SMTP server had when the process died
    recorded_at_kill: int
    mails: list[tuple[str, str]]
    recorded: list[str]  # the addresses in mail_log, one per event


def mails_to(mail: infra.Mail, domain: str) -> list[tuple[str, str]]:
    """(address, Message-ID) of every mail the dev SMTP server received for ``domain``."""
    found = []
    for path in (mail.maildir_root / "outbox" / "new").iterdir():
        headers = BytesParser(policy=default).parsebytes(path.read_bytes(), headersonly=True)
        to = str(headers["To"]).rsplit("<", 1)[-1].strip("<> ")
        if to.endswith(f"@{domain}"):
            found.append((to, str(headers["Message-ID"])))
    return found


async def notifier_killed_at(point: str, servers: infra.Session, root: Path) -> NotifierRun:
    """Six receipts through a notifier armed at ``point`` (3rd hit), killed there, then restarted."""
    mail, n, domain = servers.mail, 6, f"k{secrets.token_hex(4)}.example.com"
    root.mkdir()
    server = NatsServer(port=free_port(), monitor_port=free_port(), store_dir=root / "nats")
    server.start()
    spec, replicas = spec_named("notifier"), list[Replica]()
    bus = await Bus.connect(server.url, "worst-moments-notifier")
    try:
        database = servers.database(spec.module)
        ends = Endpoints(smtp_host=mail.smtp_host, smtp_port=mail.smtp_port)
        # A short ack wait: what the dead process held comes back in seconds (production: 30 s).
        env = armed(f"{point}@3") | {spec.env_prefix + "CONSUMER_ACK_WAIT_S": "3"}
        notifier = launch(spec, "notifier", server.url, database, root, endpoints=ends, env=env)
        await started(notifier, replicas)
        addresses = [f"cliente{i}@{domain}" for i in range(n)]
        for i, address in enumerate(addresses):
            fact = TicketOpenedV1(
                ticket_id=f"{domain}-{i}", number=i + 1, channel=Channel.EMAIL, customer_email=address,
                customer_name=f"Cliente {i}", subject="Nota fiscal", status=TicketStatus.WAITING,
                opened_at=datetime.now(UTC),
            )  # fmt: skip
            await bus.publish(TICKET_OPENED_V1, fact, message_id=f"tickets:{domain}-{i}:1")
        await killed_at(notifier, point)
        at_kill = mails_to(mail, domain)
        recorded_at_kill = count(database, "SELECT count(*) FROM mail_log")
        await unarmed(notifier, replicas)
        # The messages the dead process held come back after the durable's ack wait.
        expected = n + 1 if point == "notifier.after_send" else n
        await eventually(lambda: len(mails_to(mail, domain)) >= expected, timeout=90, what="every mail")

        async def drained() -> bool:
            info = await bus.js.consumer_info(TICKETS.name, NOTIFIER_TICKETS_DURABLE.name)
            return bool(info.num_pending == 0 and info.num_ack_pending == 0)

        await eventually(drained, timeout=30, what="the durable drained")
        return NotifierRun(
            point, addresses, at_kill, recorded_at_kill, mails_to(mail, domain),
            [str(a) for (a,) in rows(database, "SELECT address FROM mail_log")],
        )  # fmt: skip
    finally:
        await bus.close()
        end(replicas)
        server.stop()


@pytest.fixture(scope="module")
async def notifier_runs(
    servers: infra.Session, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, NotifierRun]:
    """Both notifier points, run side by side (each with its own NATS and database)."""
    root = tmp_path_factory.mktemp("notifier-kills")
    points = ("notifier.after_send", "notifier.before_ack")
    runs = await asyncio.gather(*(notifier_killed_at(p, servers, root / p) for p in points))
    return {run.point: run for run in runs}


async def test_the_notifier_killed_after_committing_before_the_ack_mails_each_receipt_once(
    notifier_runs: dict[str, NotifierRun],
) -> None:
    run = notifier_runs["notifier.before_ack"]
    # The worst moment: the third mail sent and recorded, its message not yet acknowledged.
    assert sorted(to for to, _ in run.at_kill) == run.addresses[:3] and run.recorded_at_kill == 3
    sent = Counter(to for to, _ in run.mails)
    assert sent == Counter(run.addresses), "each receipt mailed exactly once"
    assert sorted(run.recorded) == sorted(run.addresses)


async def test_the_notifier_killed_between_smtp_and_commit_resends_that_one_mail_with_its_message_id(
    notifier_runs: dict[str, NotifierRun],
) -> None:
    """By design this point is at least once: the receiver dedupes on the repeated Message-ID."""
    run = notifier_runs["notifier.after_send"]
    # The worst moment: the SMTP server accepted the third mail, its record rolled back with the process.
    assert sorted(to for to, _ in run.at_kill) == run.addresses[:3] and run.recorded_at_kill == 2
    sent = Counter(to for to, _ in run.mails)
    assert sent == Counter(run.addresses) + Counter([run.addresses[2]]), (
        "every other mail once, that one twice"
    )
    twice = {message_id for to, message_id in run.mails if to == run.addresses[2]}
    assert len(twice) == 1, f"the resend carries the same Message-ID: {twice}"
    assert len({message_id for _, message_id in run.mails}) == len(run.addresses)
    assert sorted(run.recorded) == sorted(run.addresses)


# --- projections ------------------------------------------------------------------------------------


async def open_tickets(bus: Bus, tag: str) -> int:
    """30 tickets, ten at a time (several events per batch); returns how many."""
    for wave in range(3):
        commands = [open_ticket(10 * wave + i, tag) for i in range(10)]
        await asyncio.gather(*(insist(bus, OPEN_TICKET_V1, c, TicketV1) for c in commands))
    return 30


async def chat_a_while(bus: Bus, tag: str) -> int:
    """Four chats taken by one agent, then ten messages in each, all at once; returns the messages."""
    department = f"Suporte-{tag}"
    presence = SetPresenceV1(
        agent_id="ana", agent_name="Ana", departments=[department], presence="online", capacity=20
    )
    await insist(bus, SET_PRESENCE_V1, presence, PresenceStateV1)
    chats = []
    for k in range(4):
        start = StartChatV1(
            request_id=f"{tag}-{k}", customer_name="Maria", customer_email=f"c{k}@example.com",
            question="Não consigo emitir a nota fiscal", department=department,
        )  # fmt: skip
        cid = (await insist(bus, START_CHAT_V1, start, ConversationV1)).conversation.conversation_id
        accept = AcceptChatV1(conversation_id=cid, agent_id="ana", agent_name="Ana")
        await insist(bus, ACCEPT_CHAT_V1, accept, ConversationV1)
        chats.append((cid, start.customer_email))

    async def talk(cid: str, customer: str) -> None:
        for m in range(10):
            post = PostChatMessageV1(
                conversation_id=cid, client_id=f"{cid}:{m}", author_kind=ActorKind.CUSTOMER,
                author_id=customer, author_name="Maria", text=f"mensagem {m}",
            )  # fmt: skip
            await insist(bus, POST_CHAT_MESSAGE_V1, post, ChatMessageAckV1)

    await asyncio.gather(*(talk(cid, customer) for cid, customer in chats))
    return 40


@dataclasses.dataclass(frozen=True)
class Projected:
    """One service's projection: how to drive it, its tables and a check of what it must hold."""

    service: str
    drive: Callable[[Bus, str], Coroutine[object, object, int]]
    tables: tuple[str, ...]
    events: str  # the event store's table
    hit: int  # the crash point's hit to die on: past the first batches, while batches hold several events
    units: str  # a query counting the driven units (tickets, messages) in the view
    # Saves bring the views along in their own transaction (projection.alongside): the kill comes with
    # the view's rows written and the events not committed; both must go, or both stay.
    point: str = "projection.alongside"


PROJECTED = [
    Projected(
        "tickets", open_tickets, ("ticket_summary", "ticket_history"), "tickets_events", 3,
        "SELECT count(*) FROM ticket_summary",
    ),
    Projected(
        "chat", chat_a_while, ("chat_conversations", "chat_entries"), "conversations_events", 12,
        "SELECT count(DISTINCT client_id) FROM chat_entries WHERE kind = 'message'",
    ),
]  # fmt: skip


def snapshot(url: str, tables: tuple[str, ...]) -> list[list[str]]:
    """Every row of ``tables``, as text, in a stable order."""
    return [
        [
            str(r)
            for (r,) in rows(
                url, sql.SQL("SELECT t::text FROM {} t ORDER BY 1").format(sql.Identifier(table))
            )
        ]
        for table in tables
    ]


@pytest.mark.parametrize("projected", PROJECTED, ids=[p.service for p in PROJECTED])
async def test_a_save_killed_while_its_views_come_along_ends_equal_to_a_full_rebuild(
    projected: Projected,
    servers: infra.Session,
    own_nats: NatsServer,
    bus: Bus,
    tmp_path: Path,
    running: list[Replica],
) -> None:
    spec, tag = spec_named(projected.service), uuid.uuid4().hex[:8]
    database = servers.database(spec.module)
    point = armed(f"{projected.point}@{projected.hit}")
    service = launch(spec, projected.service, own_nats.url, database, tmp_path, env=point)
    service = await started(service, running)
    driving = asyncio.create_task(projected.drive(bus, tag))
    await killed_at(service, projected.point)

    # The worst moment: the save's events and its view rows written, in a transaction never committed.
    recorded = sql.SQL("SELECT max(notification_id) FROM {}").format(sql.Identifier(projected.events))

    def position() -> int:
        return count(database, "SELECT position FROM projection_positions WHERE name = %s", projected.service)

    at_kill = (position(), count(database, recorded))
    assert at_kill[1] == at_kill[0], "the killed save's events went with its rows"
    print(
        f"{projected.service}: killed at position {at_kill[0]} with {at_kill[1] - at_kill[0]} event(s) past it"
    )
    again = await unarmed(service, running)
    units = await driving

    await eventually(lambda: position() == count(database, recorded), what="the view caught up")
    assert count(database, projected.units) == units, "no row missing"
    after_kill = snapshot(database, projected.tables)
    rebuilt = await asyncio.to_thread(again.command, "rebuild-views")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert snapshot(database, projected.tables) == after_kill, "the view equals a full rebuild"

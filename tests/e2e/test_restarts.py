"""Every service stopped under load (SIGTERM, a rolling update) and started again: nothing lost, nothing twice.

Each test runs the service as a real process against the session's servers and a NATS of its own,
puts it under a steady load, sends SIGTERM mid-load and expects exit code 0 within 10 s; then
starts it again and counts the results: each piece of work done exactly once.
(tickets: tests/e2e/test_scale_out.py.)
"""

from __future__ import annotations

import asyncio
import json
import secrets
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from email.parser import BytesParser
from email.policy import default
from pathlib import Path

import httpx
import nats.errors
import psycopg
import pytest
from imapclient import IMAPClient
from minio import Minio
from nats.js.api import DeliverPolicy
from support import infra
from support.replicas import Replica, launch, ready
from support.samples import accepted
from support.ticket_facts import ticket_life
from support.waiting import eventually
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from contracts import Envelope
from contracts.chat import ConversationV1
from contracts.chat_commands import (
    AcceptChatV1,
    ChatMessageAckV1,
    PostChatMessageV1,
    PresenceStateV1,
    SetPresenceV1,
    StartChatV1,
)
from contracts.chat_queries import GetConversationV1
from contracts.common import ActorKind, Channel
from contracts.subjects import (
    ACCEPT_CHAT_V1,
    CHAT_MESSAGE_POSTED_V1,
    GET_CONVERSATION_V1,
    NOTIFIER_TICKETS_DURABLE,
    POST_CHAT_MESSAGE_V1,
    SET_PRESENCE_V1,
    START_CHAT_V1,
    TICKET_OPENED_V1,
    TICKET_REQUESTED_V1,
    TICKETS,
    TICKETS_INTAKE,
)
from contracts.tickets import TicketOpenedV1, TicketStatus
from devstack.infra import Endpoints
from devstack.nats import NatsServer
from devstack.services import spec_named
from plumbing.bus import Bus, RemoteError

pytestmark = pytest.mark.e2e
GRACE_S = 10  # issue 8: a stopped service is gone within 10 s


async def started(replica: Replica, running: list[Replica]) -> Replica:
    running.append(replica)
    await eventually(lambda: ready(replica), timeout=60, what=f"{replica.name} ready\n{replica.tail()}")
    return replica


def stopped_cleanly(replica: Replica) -> None:
    """SIGTERM: exit code 0 within GRACE_S seconds."""
    began = time.monotonic()
    try:
        code = replica.stop(GRACE_S)
    except subprocess.TimeoutExpired:
        raise AssertionError(
            f"{replica.name} still running {GRACE_S} s after SIGTERM\n{replica.tail()}"
        ) from None
    assert code == 0, f"{replica.name} exited {code}\n{replica.tail()}"
    print(f"{replica.name} stopped in {time.monotonic() - began:.1f} s")


async def steadily(count: int, every_s: float, one: Callable[[int], Awaitable[object]]) -> None:
    for n in range(count):
        await one(n)
        await asyncio.sleep(every_s)


def rows(url: str, query: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(query).fetchall()


# --- notifier -------------------------------------------------------------------------------------


def delivered_to(mail: infra.Mail, domain: str) -> Counter[str]:
    """How many mails each address at ``domain`` got from the dev SMTP server."""
    seen: Counter[str] = Counter()
    for path in (mail.maildir_root / "outbox" / "new").iterdir():
        to = str(BytesParser(policy=default).parsebytes(path.read_bytes(), headersonly=True)["To"])
        if to.endswith(f"@{domain}") or to.endswith(f"@{domain}>"):
            seen[to.strip("<>").rsplit("<", 1)[-1]] += 1
    return seen


async def test_notifier_stopped_mid_load_mails_every_receipt_exactly_once(
    servers: infra.Session, own_nats: NatsServer, bus: Bus, tmp_path: Path, running: list[Replica]
) -> None:
    mail, n = servers.mail, 120
    domain = f"r{secrets.token_hex(4)}.example.com"
    ends = Endpoints(smtp_host=mail.smtp_host, smtp_port=mail.smtp_port)
    spec = spec_named("notifier")
    database = servers.database(spec.module)
    notifier = await started(
        launch(spec, "notifier", own_nats.url, database, tmp_path, endpoints=ends), running
    )

    async def opened(i: int) -> None:
        fact = TicketOpenedV1(
            ticket_id=f"{domain}-{i}", number=i + 1, channel=Channel.EMAIL,
            customer_email=f"cliente{i}@{domain}", customer_name=f"Cliente {i}", subject="Nota fiscal",
            status=TicketStatus.WAITING, opened_at=datetime.now(UTC),
        )  # fmt: skip
        await bus.publish(TICKET_OPENED_V1, fact, message_id=f"tickets:{domain}-{i}:1")

    load = asyncio.create_task(steadily(n, 0.03, opened))
    await eventually(lambda: sum(delivered_to(mail, domain).values()) >= 25, what="mail going out")
    assert not load.done(), "SIGTERM while facts still come in"
    stopped_cleanly(notifier)
    assert sum(delivered_to(mail, domain).values()) < n, "stopped while mail was still to send"
    await load
    await started(notifier.again(), running)

    await eventually(lambda: len(delivered_to(mail, domain)) == n, timeout=60, what="every receipt")
    info = await bus.js.consumer_info(TICKETS.name, NOTIFIER_TICKETS_DURABLE.name)
    assert info.num_pending == 0 and info.num_ack_pending == 0, info
    counts = delivered_to(mail, domain)
    assert set(counts) == {f"cliente{i}@{domain}" for i in range(n)}
    assert max(counts.values()) == 1, [a for a, c in counts.items() if c > 1]
    assert rows(database, "SELECT count(*), count(DISTINCT event_id) FROM mail_log") == [(n, n)]


# --- mail-ingest ----------------------------------------------------------------------------------


def append(mail: infra.Mail, folder: str, raw: bytes | None = None) -> None:
    """Put a mail in ``folder`` of the support mailbox (None: only create the folder)."""
    with IMAPClient(mail.imap_host, port=mail.imap_port, ssl=False, timeout=10) as client:
        client.login(mail.imap_user, mail.imap_password)
        if not client.folder_exists(folder):
            client.create_folder(folder)
        if raw is not None:
            client.append(folder, raw)


async def requested(bus: Bus, token: str) -> Counter[str]:
    """TicketRequested on the intake stream about this test's mails, by request id."""
    info = await bus.js.stream_info(TICKETS_INTAKE.name)
    found: Counter[str] = Counter()
    for seq in range(info.state.first_seq, info.state.last_seq + 1) if info.state.messages else ():
        raw = await bus.js.get_msg(TICKETS_INTAKE.name, seq)
        if raw.subject == TICKET_REQUESTED_V1 and raw.data is not None and token.encode() in raw.data:
            found[Envelope.from_bytes(raw.data).data["request_id"]] += 1
    return found


async def test_mail_ingest_stopped_mid_load_requests_each_mail_exactly_once(
    servers: infra.Session, own_nats: NatsServer, bus: Bus, tmp_path: Path, running: list[Replica]
) -> None:
    mail, n, token = servers.mail, 40, secrets.token_hex(6)
    ends = Endpoints(
        imap_host=mail.imap_host, imap_port=mail.imap_port,
        imap_user=mail.imap_user, imap_password=mail.imap_password,
    )  # fmt: skip
    spec = spec_named("mail-ingest")
    folder = f"r{token}"
    env = {spec.env_prefix + "IMAP_MAILBOX": folder, spec.env_prefix + "POLL_S": "0.5"}
    await asyncio.to_thread(append, mail, folder)
    database = servers.database(spec.module)
    ingest = launch(spec, "mail-ingest", own_nats.url, database, tmp_path, endpoints=ends, env=env)
    ingest = await started(ingest, running)

    def mail_from(i: int) -> bytes:  # each from its own sender: the hourly cap per sender is 20
        text = (
            f"From: Cliente {i} <c{i}-{token}@example.com>\nSubject: Pedido {i}\n"
            f"Message-ID: <m{i}-{token}@example.com>\n\nPreciso da segunda via {i}.\n"
        )
        return text.replace("\n", "\r\n").encode()

    load = asyncio.create_task(
        steadily(n, 0.05, lambda i: asyncio.to_thread(append, mail, folder, mail_from(i)))
    )

    async def some() -> bool:
        return len(await requested(bus, token)) >= 8

    await eventually(some, what="mail coming in")
    assert not load.done(), "SIGTERM while mail still comes in"
    stopped_cleanly(ingest)
    assert len(await requested(bus, token)) < n, "stopped while mail was still coming in"
    await load
    await started(ingest.again(), running)

    async def all_in() -> bool:
        return len(await requested(bus, token)) == n

    await eventually(all_in, timeout=60, what="every mail requested")
    await asyncio.sleep(1.5)  # a few more polls: nothing comes twice
    published = await requested(bus, token)
    assert set(published) == {f"email:<m{i}-{token}@example.com>" for i in range(n)}
    assert max(published.values()) == 1
    assert rows(database, "SELECT count(*), count(DISTINCT message_id) FROM seen_mail") == [(n, n)]


# --- insights -------------------------------------------------------------------------------------


async def test_insights_stopped_mid_load_keeps_every_fact_once(
    servers: infra.Session, own_nats: NatsServer, bus: Bus, tmp_path: Path, running: list[Replica]
) -> None:
    spec, tag, n = spec_named("insights"), uuid.uuid4().hex[:8], 100
    database = servers.database(spec.module)
    insights = await started(launch(spec, "insights", own_nats.url, database, tmp_path), running)
    facts = [fact for i in range(n) for fact in ticket_life(tag, i)]

    async def publish(k: int) -> None:
        subject, message, message_id = facts[k]
        await bus.publish(subject, message, message_id=message_id)

    def kept() -> int:
        [(count,)] = rows(database, "SELECT count(*) FROM facts")
        assert isinstance(count, int)
        return count

    load = asyncio.create_task(steadily(len(facts), 0.02, publish))
    await eventually(lambda: kept() >= 60, what="facts coming in")
    assert not load.done(), "SIGTERM while facts still come in"
    stopped_cleanly(insights)
    assert kept() < len(facts), "stopped while facts were still coming in"
    await load
    await started(insights.again(), running)

    await eventually(lambda: kept() == len(facts), timeout=60, what="every fact kept")
    assert {m for (m,) in rows(database, "SELECT message_id FROM facts")} == {m for _, _, m in facts}
    records = rows(
        database,
        "SELECT count(*), count(finished_at), count(first_responder) FROM ticket_records",
    )
    assert records == [(n, n, n)], "100 tickets opened, answered and finished, each once"


# --- files ----------------------------------------------------------------------------------------


async def test_files_stopped_mid_upload_finishes_what_it_holds_and_stores_each_file_once(
    servers: infra.Session, own_nats: NatsServer, tmp_path: Path, running: list[Replica]
) -> None:
    s3, spec, secret = servers.s3, spec_named("files"), secrets.token_hex(8)
    bucket = f"r-{secrets.token_hex(6)}"
    ends = Endpoints(s3_endpoint=s3.endpoint, s3_access_key=s3.access_key, s3_secret_key=s3.secret_key)
    env = {spec.env_prefix + "INTERNAL_TOKEN": secret, spec.env_prefix + "S3_BUCKET": bucket}
    database = servers.database(spec.module)
    files = launch(spec, "files", own_nats.url, database, tmp_path, endpoints=ends, env=env)
    files = await started(files, running)
    url = f"http://127.0.0.1:{files.port('INTERNAL_PORT')}/v1/attachments"
    name, data = accepted("png")
    ids = [str(uuid.uuid4()) for _ in range(40)]
    answers: list[int] = []  # every HTTP status an upload got
    retried: list[str] = []  # uploads that got no answer (refused or closed at the connection)
    terminated = asyncio.Event()

    async def body(slow: bool) -> AsyncIterator[bytes]:
        yield data[: len(data) // 2]
        if slow:  # held open across the SIGTERM: an upload in flight
            await terminated.wait()
            await asyncio.sleep(0.3)
        yield data[len(data) // 2 :]

    async def upload(client: httpx.AsyncClient, attachment_id: str, slow: bool = False) -> None:
        query = {"filename": name, "owner_kind": "ticket", "owner_id": "t-1", "uploaded_by": "acc-1"}
        for _ in range(100):
            try:
                answer = await client.post(
                    url, params=query | {"attachment_id": attachment_id}, content=body(slow), timeout=20
                )
            except httpx.TransportError:
                retried.append(attachment_id)
                slow = False
                await asyncio.sleep(0.2)
                continue
            answers.append(answer.status_code)
            assert answer.status_code == 201, answer.text
            return
        raise AssertionError(f"{attachment_id} never uploaded")

    async def uploader(k: int, client: httpx.AsyncClient) -> None:
        for attachment_id in ids[k::4]:
            await upload(client, attachment_id)

    headers = {"Authorization": f"Bearer {secret}"}
    async with httpx.AsyncClient(headers=headers) as client:
        in_flight = asyncio.create_task(upload(client, "in-flight-1", slow=True))
        load = asyncio.gather(*(uploader(k, client) for k in range(4)))
        await eventually(lambda: len(answers) >= 8, what="uploads under way")
        stop = asyncio.create_task(asyncio.to_thread(stopped_cleanly, files))
        await asyncio.sleep(0.5)  # the server stops accepting, the slow upload is still open
        terminated.set()
        await in_flight
        assert "in-flight-1" not in retried, "the upload in flight when SIGTERM came was finished"
        await stop
        restarted = await started(files.again(same_ports=True), running)
        await load
    assert restarted.process.poll() is None and set(answers) == {201}
    every = {*ids, "in-flight-1"}
    stored = rows(database, "SELECT attachment_id, state FROM attachments")
    assert sorted(stored) == sorted((i, "stored") for i in every), "each once, none left pending"
    minio = Minio(s3.endpoint, access_key=s3.access_key, secret_key=s3.secret_key, secure=False)
    assert len(list(minio.list_objects(bucket, recursive=True))) == len(every)
    print(f"files: {len(retried)} upload(s) retried at the connection")


# --- gateway --------------------------------------------------------------------------------------


async def closing_code(socket: ClientConnection) -> int | None:
    """The code of the close frame the server ends ``socket`` with (None: closed without one)."""
    try:
        async with asyncio.timeout(GRACE_S):
            while True:
                await socket.recv()
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd is not None else None


async def test_gateway_stopped_under_load_answers_every_request_and_closes_sockets_properly(
    servers: infra.Session, own_nats: NatsServer, bus: Bus, tmp_path: Path, running: list[Replica]
) -> None:
    chat_spec, spec, secret = spec_named("chat"), spec_named("gateway"), secrets.token_hex(8)
    chat = launch(chat_spec, "chat", own_nats.url, servers.database(chat_spec.module), tmp_path)
    env = {spec.env_prefix + "CHAT_SECRET": secret}
    gateway = launch(spec, "gateway", own_nats.url, servers.database(spec.module), tmp_path, env=env)
    await started(chat, running)
    gateway = await started(gateway, running)
    base = f"http://127.0.0.1:{gateway.port('HTTP_PORT')}"
    presence = SetPresenceV1(agent_id="ana", agent_name="Ana", departments=["Suporte"], presence="online")
    await bus.request(SET_PRESENCE_V1, presence, PresenceStateV1)
    async with httpx.AsyncClient(base_url=base) as client:
        form = {
            "name": "Rita",
            "email": "rita@example.com",
            "question": "O painel caiu",
            "department": "Suporte",
        }
        begun = await client.post("/api/v1/chat/conversations", json=form)
        assert begun.status_code == 201, begun.text
    socket_url = (
        base.replace("http://", "ws://") + f"/api/v1/chat/socket?token={begun.json()['resume_token']}"
    )

    answered: list[tuple[float, float, int]] = []  # (sent, answered, status)
    refused: list[float] = []  # when a request got no answer at all
    done = asyncio.Event()

    async def client_loop(path: str) -> None:
        async with httpx.AsyncClient(base_url=base) as client:
            while not done.is_set():
                sent = time.monotonic()
                try:
                    answer = await client.get(path, timeout=10)
                except httpx.TransportError:
                    refused.append(sent)
                    await asyncio.sleep(0.1)
                    continue
                answered.append((sent, time.monotonic(), answer.status_code))

    paths = ["/api/v1/system/services", "/api/v1/system/services", "/api/v1/chat/availability"]
    async with connect(socket_url) as socket:
        assert json.loads(await socket.recv())["type"] == "conversation"
        load = asyncio.gather(*(client_loop(p) for p in paths))
        await eventually(lambda: len(answered) >= 6, what="requests answered")
        term = time.monotonic()
        stop = asyncio.create_task(asyncio.to_thread(stopped_cleanly, gateway))
        code = await closing_code(socket)
        await stop
    # uvicorn ends each open socket with a close frame 1012 "service restart": the widget reconnects.
    assert code == 1012
    restarted = await started(gateway.again(same_ports=True), running)
    after = len(answered)
    await eventually(
        lambda: len(answered) >= after + 6, timeout=20, what="answers from the restarted gateway"
    )
    done.set()
    await load

    assert all(status < 500 for _, _, status in answered), Counter(s for _, _, s in answered)
    assert {status for _, _, status in answered} == {200}
    finished_after = [a for s, a, _ in answered if s < term < a]
    assert finished_after, "requests in flight at SIGTERM were answered"
    assert all(sent >= term for sent in refused), "no request refused before SIGTERM"
    async with connect(socket_url + "&after_seq=1") as socket:  # the widget comes back on the new one
        assert json.loads(await socket.recv())["type"] == "conversation"
    assert restarted.process.poll() is None


# --- chat -----------------------------------------------------------------------------------------


async def test_chat_replica_stopped_under_load_fails_no_message_and_numbers_each_once(
    servers: infra.Session, own_nats: NatsServer, bus: Bus, tmp_path: Path, running: list[Replica]
) -> None:
    spec = spec_named("chat")
    database = servers.database(spec.module)
    one = launch(spec, "chat-1", own_nats.url, database, tmp_path)
    two = launch(spec, "chat-2", own_nats.url, database, tmp_path)
    await started(one, running)
    await started(two, running)
    department = f"Suporte-{uuid.uuid4().hex[:6]}"
    presence = SetPresenceV1(
        agent_id="ana", agent_name="Ana", departments=[department], presence="online", capacity=20
    )
    await bus.request(SET_PRESENCE_V1, presence, PresenceStateV1)
    chats = []
    for n in range(6):
        start = StartChatV1(
            request_id=f"restart-{n}", customer_name="Maria", customer_email=f"c{n}@example.com",
            question="Não consigo emitir a nota fiscal", department=department,
        )  # fmt: skip
        cid = (await bus.request(START_CHAT_V1, start, ConversationV1)).conversation.conversation_id
        await bus.request(
            ACCEPT_CHAT_V1,
            AcceptChatV1(conversation_id=cid, agent_id="ana", agent_name="Ana"),
            ConversationV1,
        )
        chats.append((cid, start.customer_email))
    posted: list[int] = []
    retried: list[str] = []

    async def say(cid: str, customer: str, n: int) -> None:
        command = PostChatMessageV1(
            conversation_id=cid, client_id=f"{cid}:{n}", author_kind=ActorKind.CUSTOMER,
            author_id=customer, author_name="Maria", text=f"mensagem {n}",
        )  # fmt: skip
        for _ in range(20):
            try:
                await bus.request(POST_CHAT_MESSAGE_V1, command, ChatMessageAckV1, timeout=3)
                posted.append(n)
                return
            except (TimeoutError, nats.errors.NoRespondersError):
                pass
            except RemoteError as error:
                if error.code != "503":
                    raise
            retried.append(command.client_id)
            await asyncio.sleep(0.2)
        raise AssertionError(f"{command.client_id} never posted")

    async def talk(cid: str, customer: str, first: int, last: int) -> None:
        for n in range(first, last):
            await say(cid, customer, n)
            await asyncio.sleep(0.05)

    load = asyncio.gather(*(talk(cid, customer, 0, 30) for cid, customer in chats))
    await eventually(lambda: len(posted) >= 40, what="messages flowing")
    assert await one.requests_served() > 0 and await two.requests_served() > 0, "both take a share"
    assert not load.done(), "SIGTERM while messages still come in"
    stopped_cleanly(one)
    assert len(posted) < 180, "the other replica carried on with the rest"
    await load
    assert retried == [], "a graceful stop fails no request"
    await started(one.again(), running)
    await asyncio.gather(*(talk(cid, customer, 30, 35) for cid, customer in chats))  # both replicas again

    for cid, _ in chats:
        whole = await bus.request(GET_CONVERSATION_V1, GetConversationV1(conversation_id=cid), ConversationV1)
        seqs = [entry.seq for entry in whole.entries]
        assert seqs == list(range(1, len(seqs) + 1)), f"consecutive numbers: {seqs}"
        messages = [str(entry.client_id) for entry in whole.entries if entry.kind == "message"]
        assert sorted(messages) == sorted(f"{cid}:{n}" for n in range(35)), "every message once"

    async def relayed() -> Counter[tuple[str, int]]:
        facts = await bus.js.subscribe(
            CHAT_MESSAGE_POSTED_V1, ordered_consumer=True, deliver_policy=DeliverPolicy.ALL
        )
        seen: Counter[tuple[str, int]] = Counter()
        try:
            while True:
                try:
                    data = Envelope.from_bytes((await facts.next_msg(timeout=1.0)).data).data
                except TimeoutError:
                    return seen
                seen[(data["conversation_id"], data["seq"])] += 1
        finally:
            await facts.unsubscribe()

    async def all_relayed() -> bool:
        return len(await relayed()) == 35 * len(chats)

    await eventually(all_relayed, timeout=30, what="every message on the CHAT stream")
    assert max((await relayed()).values()) == 1, "each fact published once (the relay handed over)"

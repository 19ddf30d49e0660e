"""A poison message through every durable a running service starts: dead-lettered, and the rest flow.

Each service runs in-process through its own bootstrap, on a NATS server of the test's own (so the
streams, the durables and the dead letters are only this test's), with its delivery policy shortened
through its settings (``CONSUMER_MAX_DELIVER`` / ``CONSUMER_BACKOFF_S``). Per durable:

- a malformed message (not an envelope) is dead-lettered at once;
- a well-formed message whose handling fails every time is dead-lettered after ``max_deliver`` tries,
  with its error and its original bytes. What fails: notifier's three — the mail server refuses the
  recipient (550) every time (an SMTP server of the test's own); insights' two — a fact whose message
  id lacks the aggregate version (insights cannot place it); tickets-intake — the event store refuses
  the ticket's events (a trigger in its real PostgreSQL, the one injected fault);
- the good messages published after them are handled, and the durable ends with nothing pending.
"""

from __future__ import annotations

import ast
import base64
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from support.waiting import eventually

from contracts import Envelope, Message
from contracts.accounts import AccountEmail, AccountEmailRequestedV1
from contracts.chat import (
    ChatClosedV1,
    ChatEntry,
    ChatRequestedV1,
    ConversationStatus,
    ConversationSummary,
    ConversationV1,
)
from contracts.chat_queries import GetConversationV1
from contracts.common import ActorKind, Channel
from contracts.subjects import (
    ACCOUNT_EMAIL_REQUESTED_V1,
    CHAT_CLOSED_V1,
    CHAT_REQUESTED_V1,
    DEADLETTER,
    DURABLES,
    GET_CONVERSATION_V1,
    INSIGHTS_CHAT_DURABLE,
    INSIGHTS_TICKETS_DURABLE,
    NOTIFIER_ACCOUNTS_DURABLE,
    NOTIFIER_CHAT_DURABLE,
    NOTIFIER_TICKETS_DURABLE,
    STREAMS,
    TICKET_OPENED_V1,
    TICKET_REQUESTED_V1,
    TICKETS,
    TICKETS_INTAKE_DURABLE,
    Durable,
)
from contracts.system import MessageDeadLetteredV1
from contracts.tickets import TicketOpenedV1, TicketRequestedV1, TicketStatus
from devstack.nats import NatsServer
from devstack.procs import free_port
from insights.bootstrap import bootstrap as insights_bootstrap
from insights.config import Settings as InsightsSettings
from notifier.bootstrap import bootstrap as notifier_bootstrap
from notifier.config import Settings as NotifierSettings
from plumbing.bus import Bus
from plumbing.runtime import Runtime
from tickets.bootstrap import bootstrap as tickets_bootstrap
from tickets.config import Settings as TicketsSettings
from tickets.domain.ticket import ticket_id as ticket_id_for

REPO = Path(__file__).resolve().parents[3]
NOW = datetime.now(UTC)
MALFORMED = b"\xff not an envelope"
# Short enough for seconds per durable; the backoff still lets the good messages pass the poison.
POLICY = {"consumer_max_deliver": 3, "consumer_backoff_s": (0.5, 1.0)}
REFUSED = "refused"  # local part of the addresses the test's SMTP server refuses for good


class RefusingSmtp:
    """An SMTP server that keeps every mail it accepts and refuses ``refused-…`` recipients with 550."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.port = free_port()
        self.delivered: list[str] = []  # one recipient per accepted mail
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, server_hostname="test")

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        """A permanent refusal of the poison's recipient: retrying can never help."""
        if address.startswith(REFUSED):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Keep who got a mail."""
        self.delivered.extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"

    def __enter__(self) -> RefusingSmtp:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()


@dataclass
class World:
    """What one case runs against: its own NATS, a fresh database, the SMTP server, a bus."""

    nats_url: str
    postgres_url: str
    smtp: RefusingSmtp
    bus: Bus


@dataclass
class Plan:
    """One durable's case: where to publish, the poison, the good messages and how to see them handled."""

    subject: str
    poison: Envelope
    error: str  # what the poison's dead letter says went wrong
    goods: list[tuple[str, Envelope]]
    handled: Callable[[], Awaitable[bool] | bool]


def customer(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}@example.com"


def opened(ticket_id: str, email: str, number: int = 1042) -> TicketOpenedV1:
    return TicketOpenedV1(
        ticket_id=ticket_id,
        number=number,
        channel=Channel.PORTAL,
        customer_email=email,
        customer_name="Maria",
        subject="Boleto vencido",
        status=TicketStatus.WAITING,
        opened_at=NOW,
    )


def fact(message: Message, version: int = 1) -> Envelope:
    """As the relay publishes a fact: its message id ends with the aggregate's version."""
    return Envelope.wrap(message, message_id=f"relay:{uuid.uuid4()}:{version}")


def mailed(world: World, *addresses: str) -> Callable[[], bool]:
    return lambda: all(address in world.smtp.delivered for address in addresses)


async def rows(world: World, query: str, *params: object) -> list[tuple[Any, ...]]:
    async with await psycopg.AsyncConnection.connect(world.postgres_url) as conn:
        return await (await conn.execute(query, params)).fetchall()


# --- tickets -------------------------------------------------------------------------------------


def requested(request_id: str, body: str = "Preciso da segunda via.") -> TicketRequestedV1:
    return TicketRequestedV1(
        request_id=request_id,
        channel=Channel.EMAIL,
        customer_email=customer("maria"),
        customer_name="Maria",
        subject="Boleto vencido",
        body=body,
        received_at=NOW,
    )


async def tickets_intake(world: World) -> Plan:
    poison = requested(f"email:<{uuid.uuid4()}@example.com>")
    # The injected fault: the event store refuses this one ticket's events, every time (a data error,
    # not a connection one: the consumer must not take it for PostgreSQL being away).
    async with await psycopg.AsyncConnection.connect(world.postgres_url, autocommit=True) as conn:
        await conn.execute(
            f"""
            CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'refused by the test' USING ERRCODE = 'data_exception';
            END $$;
            CREATE TRIGGER refuse_poison BEFORE INSERT ON tickets_events FOR EACH ROW
                WHEN (NEW.originator_id = '{ticket_id_for(poison.request_id)}') EXECUTE FUNCTION refuse_poison();
            """
        )
    # The second carries a NUL, as a mail's body may: it once stopped the tickets views for good.
    goods = [requested(f"email:<{uuid.uuid4()}@example.com>", body) for body in ("Olá", "a\x00b")]
    wanted = {str(ticket_id_for(good.request_id)) for good in goods}

    async def handled() -> bool:
        # Opened, published to TICKETS by the relay, and in the customers' and agents' views.
        listed = await rows(world, "SELECT ticket_id::text FROM ticket_summary")
        return wanted <= {ticket_id for (ticket_id,) in listed} and await published(world, wanted)

    return Plan(
        TICKET_REQUESTED_V1,
        Envelope.wrap(poison),
        "refused by the test",
        [(TICKET_REQUESTED_V1, Envelope.wrap(good)) for good in goods],
        handled,
    )


async def published(world: World, ticket_ids: set[str]) -> bool:
    info = await world.bus.js.stream_info(TICKETS.name)
    found = set()
    for seq in range(info.state.first_seq, info.state.last_seq + 1) if info.state.messages else ():
        raw = await world.bus.js.get_msg(TICKETS.name, seq)
        assert raw.data is not None
        found.add(Envelope.from_bytes(raw.data).data.get("ticket_id"))
    return ticket_ids <= found


# --- notifier ------------------------------------------------------------------------------------


async def notifier_tickets(world: World) -> Plan:
    goods = [customer("ana"), customer("joao")]
    return Plan(
        TICKET_OPENED_V1,
        fact(opened(str(uuid.uuid4()), customer(REFUSED))),
        "SMTPRecipientsRefused",
        [(TICKET_OPENED_V1, fact(opened(str(uuid.uuid4()), email))) for email in goods],
        mailed(world, *goods),
    )


def account_mail(email: str) -> AccountEmailRequestedV1:
    return AccountEmailRequestedV1(
        email_id=str(uuid.uuid4()),
        kind=AccountEmail.VERIFY_EMAIL,
        to_email=email,
        to_name="Ana",
        link="http://127.0.0.1:8000/verify?token=x",
        requested_at=NOW,
    )


async def notifier_accounts(world: World) -> Plan:
    goods = [customer("ana"), customer("joao")]
    return Plan(
        ACCOUNT_EMAIL_REQUESTED_V1,
        Envelope.wrap(account_mail(customer(REFUSED))),
        "SMTPRecipientsRefused",
        [(ACCOUNT_EMAIL_REQUESTED_V1, Envelope.wrap(account_mail(email))) for email in goods],
        mailed(world, *goods),
    )


def closed_chat(conversation_id: str, email: str) -> ChatClosedV1:
    return ChatClosedV1(
        conversation_id=conversation_id,
        department="Suporte",
        customer_email=email,
        customer_name="Maria",
        closed_by=ActorKind.CUSTOMER,
        status=ConversationStatus.CLOSED,
        send_transcript=True,
        messages=1,
        closed_at=NOW,
    )


def conversation(conversation_id: str, email: str) -> ConversationV1:
    entry = ChatEntry(
        seq=1, kind="requested", author_kind=ActorKind.CUSTOMER, author_id=email, text="Oi", at=NOW
    )
    summary = ConversationSummary(
        conversation_id=conversation_id,
        status=ConversationStatus.CLOSED,
        department="Suporte",
        customer_email=email,
        customer_name="Maria",
        question="Oi",
        requested_at=NOW,
        last_seq=1,
    )
    return ConversationV1(conversation=summary, entries=[entry])


async def notifier_chat(world: World) -> Plan:
    chats = {str(uuid.uuid4()): email for email in (customer(REFUSED), customer("ana"), customer("joao"))}

    async def get(query: GetConversationV1, envelope: Envelope) -> Message:
        # The chat service's part, faked: every conversation is known and answered whole.
        return conversation(query.conversation_id, chats[query.conversation_id])

    await world.bus.serve("conversation", GET_CONVERSATION_V1, GetConversationV1, get)
    (poison, _), *goods = chats.items()
    return Plan(
        CHAT_CLOSED_V1,
        fact(closed_chat(poison, chats[poison])),
        "SMTPRecipientsRefused",
        [(CHAT_CLOSED_V1, fact(closed_chat(chat, email))) for chat, email in goods],
        mailed(world, *(email for _, email in goods)),
    )


# --- insights ------------------------------------------------------------------------------------


async def insights_tickets(world: World) -> Plan:
    goods = [str(uuid.uuid4()), str(uuid.uuid4())]

    async def handled() -> bool:
        kept = await rows(world, "SELECT ticket_id FROM ticket_records")
        return set(goods) <= {ticket_id for (ticket_id,) in kept}

    return Plan(
        TICKET_OPENED_V1,
        # Well-formed, but its id says nothing of its place in the ticket's history.
        Envelope.wrap(opened(str(uuid.uuid4()), customer("maria"))),
        "ValueError",
        [
            (TICKET_OPENED_V1, fact(opened(good, customer("ana"), number)))
            for number, good in enumerate(goods, 1)
        ],
        handled,
    )


def chat_requested(conversation_id: str) -> ChatRequestedV1:
    return ChatRequestedV1(
        conversation_id=conversation_id,
        department="Suporte",
        customer_email=customer("maria"),
        customer_name="Maria",
        question="A fatura veio errada",
        requested_at=NOW,
    )


async def insights_chat(world: World) -> Plan:
    goods = [str(uuid.uuid4()), str(uuid.uuid4())]

    async def handled() -> bool:
        kept = await rows(world, "SELECT conversation_id FROM chat_records")
        return set(goods) <= {conversation_id for (conversation_id,) in kept}

    return Plan(
        CHAT_REQUESTED_V1,
        Envelope.wrap(chat_requested(str(uuid.uuid4()))),
        "ValueError",
        [(CHAT_REQUESTED_V1, fact(chat_requested(good))) for good in goods],
        handled,
    )


# --- the services, as their bootstraps wire them ---------------------------------------------------


def tickets(world: World) -> AbstractAsyncContextManager[Runtime]:
    return tickets_bootstrap(
        TicketsSettings.model_validate(
            {"nats_url": world.nats_url, "postgres_url": world.postgres_url, "ops_port": None, **POLICY}
        )
    )


def notifier(world: World) -> AbstractAsyncContextManager[Runtime]:
    settings = {"nats_url": world.nats_url, "postgres_url": world.postgres_url, "ops_port": None}
    mail = {"smtp_host": "127.0.0.1", "smtp_port": world.smtp.port, "chat_timeout_s": 2.0}
    return notifier_bootstrap(NotifierSettings.model_validate({**settings, **mail, **POLICY}))


def insights(world: World) -> AbstractAsyncContextManager[Runtime]:
    return insights_bootstrap(
        InsightsSettings.model_validate(
            {"nats_url": world.nats_url, "postgres_url": world.postgres_url, "ops_port": None, **POLICY}
        )
    )


Service = Callable[[World], AbstractAsyncContextManager[Runtime]]
# Every durable a running service starts: (the service that starts it, its case).
CASES: dict[str, tuple[Service, Callable[[World], Awaitable[Plan]]]] = {
    TICKETS_INTAKE_DURABLE.name: (tickets, tickets_intake),
    NOTIFIER_TICKETS_DURABLE.name: (notifier, notifier_tickets),
    NOTIFIER_ACCOUNTS_DURABLE.name: (notifier, notifier_accounts),
    NOTIFIER_CHAT_DURABLE.name: (notifier, notifier_chat),
    INSIGHTS_TICKETS_DURABLE.name: (insights, insights_tickets),
    INSIGHTS_CHAT_DURABLE.name: (insights, insights_chat),
}
# Where durable consumers may be started: the composition roots of the services above.
BOOTSTRAPS = {
    "services/tickets/tickets/bootstrap.py",
    "services/notifier/notifier/bootstrap.py",
    "services/insights/insights/bootstrap.py",
}


@pytest.fixture
def nats_url(tmp_path: Path) -> Iterator[str]:
    """A NATS server of this test's own: only its streams, durables and dead letters."""
    server = NatsServer(port=free_port(), monitor_port=free_port(), store_dir=tmp_path / "nats")
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
async def world(nats_url: str, postgres_url: str) -> AsyncIterator[World]:
    with RefusingSmtp() as smtp:
        bus = await Bus.connect(nats_url, "poison-test")
        try:
            yield World(nats_url, postgres_url, smtp, bus)
        finally:
            await bus.close()


async def dead_letters(bus: Bus, durable: Durable) -> list[MessageDeadLetteredV1]:
    """Every dead letter of ``durable``, oldest first."""
    info = await bus.js.stream_info(DEADLETTER.name)
    found = []
    for seq in range(info.state.first_seq, info.state.last_seq + 1) if info.state.messages else ():
        raw = await bus.js.get_msg(DEADLETTER.name, seq)
        if raw.subject == durable.dead_letter_subject and raw.data is not None:
            found.append(MessageDeadLetteredV1.model_validate(Envelope.from_bytes(raw.data).data))
    return found


async def settled(bus: Bus, durable: Durable) -> bool:
    """Nothing left to deliver and nothing awaiting an ack."""
    info = await bus.js.consumer_info(durable.stream.name, durable.name)
    return bool(info.num_pending == 0 and info.num_ack_pending == 0)


@pytest.mark.parametrize("durable", DURABLES, ids=lambda durable: durable.name)
async def test_malformed_and_poison_messages_are_dead_lettered_and_the_rest_flow(
    durable: Durable, world: World
) -> None:
    """Malformed: dead-lettered at once; poison: after max_deliver tries; the good ones are handled."""
    service, case = CASES[durable.name]
    async with service(world) as runtime:
        runtime.health.started = True
        plan = await case(world)
        await world.bus.js.publish(plan.subject, MALFORMED)
        await world.bus.publish_envelope(plan.subject, plan.poison)
        for subject, good in plan.goods:
            await world.bus.publish_envelope(subject, good)

        await eventually(
            plan.handled, timeout=60, what=f"the good messages behind the poison ({durable.name})"
        )
        await eventually(lambda: settled(world.bus, durable), timeout=60, what="nothing pending")
        malformed, poison = await dead_letters(world.bus, durable)

    assert (malformed.deliveries, malformed.consumer) == (1, durable.name)
    assert malformed.error.startswith("malformed envelope")
    assert base64.b64decode(malformed.original_data) == MALFORMED
    assert poison.deliveries == POLICY["consumer_max_deliver"]
    assert plan.error in poison.error, poison.error
    assert base64.b64decode(poison.original_data) == plan.poison.to_bytes()
    assert poison.original_message_id == plan.poison.message_id


def test_durable_consumers_are_started_only_by_the_composition_roots_covered_here() -> None:
    """A durable started anywhere else (another service, an entry point) would escape the test above."""
    starting = set()
    for path in (REPO / "services").rglob("*.py"):
        if "/tests/" in str(path):
            continue
        tree = ast.parse(path.read_text())
        calls = {node.func for node in ast.walk(tree) if isinstance(node, ast.Call)}
        names = {getattr(func, "id", getattr(func, "attr", "")) for func in calls}
        if names & {"DurableConsumer", "add_consumer", "pull_subscribe", "pull_subscribe_bind"}:
            starting.add(str(path.relative_to(REPO)))
    assert starting == BOOTSTRAPS


async def test_the_running_services_start_exactly_the_durables_covered_here(world: World) -> None:
    """Every durable on the server once tickets, notifier and insights run is one case above."""
    async with tickets(world), notifier(world), insights(world):
        started = set()
        for stream in await world.bus.js.streams_info():
            assert stream.config.name in {known.name for known in STREAMS}
            for info in await world.bus.js.consumers_info(stream.config.name):
                started.add(info.name)
    assert started == set(CASES) == {durable.name for durable in DURABLES}

"""The outbox relay against a real PostgreSQL event store and a real JetStream."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from support.waiting import eventually

from contracts import Envelope, Message
from contracts.subjects import Stream
from plumbing.bus import Bus
from plumbing.eventstore import postgres_env
from plumbing.logging import correlation
from plumbing.relay import Publication, Relay, positions_recorder


class Counter(Aggregate):
    """A test aggregate."""

    @event("Created")
    def __init__(self, name: str) -> None:
        self.name = name
        self.value = 0

    @event("Incremented")
    def increment(self, by: int, secret: bool = False) -> None:
        self.value += by


class Counters(Application[Any]):
    """A test application."""

    name = "Counters"


class CountedV1(Message):
    """A test contract event (not registered: tests must not change the published catalogue)."""

    TYPE = "test.Counted"
    VERSION = 1
    counter: str
    value: int


@pytest.fixture
def app(postgres_url: str) -> Iterator[Counters]:
    application = Counters(env=postgres_env(postgres_url))
    yield application
    application.close()


def stream_and_translate() -> tuple[Stream, str, Any]:
    token = uuid.uuid4().hex[:8]
    stream = Stream(f"TEST_{token.upper()}", (f"test.{token}.>",), "any", "relay test")
    subject = f"test.{token}.counted"

    def translate(domain_event: Any) -> Publication | None:
        if isinstance(domain_event, Counter.Incremented) and not domain_event.secret:
            return Publication(
                subject, CountedV1(counter=str(domain_event.originator_id), value=domain_event.by), "corr-1"
            )
        return None  # creation and secret increments stay inside the service

    return stream, subject, translate


async def published(bus: Bus, stream: Stream) -> list[tuple[str, Envelope]]:
    """(Nats-Msg-Id, envelope) of every message in the stream, in order."""
    info = await bus.js.stream_info(stream.name)
    messages = []
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        raw = await bus.js.get_msg(stream.name, seq)
        assert raw.headers is not None and raw.data is not None
        messages.append((raw.headers["Nats-Msg-Id"], Envelope.from_bytes(raw.data)))
    return messages


async def test_relays_in_order_once_and_resumes_from_its_saved_position(bus: Bus, app: Counters) -> None:
    stream, _, translate = stream_and_translate()
    await bus.ensure_streams([stream])
    counter = Counter("a")
    for by in (1, 2, 3):
        counter.increment(by)
    counter.increment(99, secret=True)
    app.save(counter)

    relay = Relay(bus, app, translate, positions_recorder(app), poll_s=0.1)
    await relay.start()
    await eventually(lambda: relay.position == 5, what="all five notifications relayed")
    first = await published(bus, stream)
    assert [envelope.data["value"] for _, envelope in first] == [1, 2, 3]
    assert [msg_id for msg_id, _ in first] == [f"Counters:{counter.id}:{version}" for version in (2, 3, 4)]
    assert {envelope.correlation_id for _, envelope in first} == {"corr-1"}

    counter.increment(4)
    app.save(counter)
    relay.nudge()
    await eventually(lambda: relay.position == 6)
    await relay.stop()

    restarted = Relay(bus, app, translate, positions_recorder(app), poll_s=0.1)
    await restarted.start()
    assert restarted.position == 6
    counter.increment(5)
    app.save(counter)
    await eventually(lambda: restarted.position == 7)
    await restarted.stop()
    values = [envelope.data["value"] for _, envelope in await published(bus, stream)]
    assert values == [1, 2, 3, 4, 5], "nothing lost, nothing repeated"
    await bus.js.delete_stream(stream.name)


async def test_a_batch_in_flight_at_once_still_lands_in_order(bus: Bus, app: Counters) -> None:
    stream, _, translate = stream_and_translate()
    await bus.ensure_streams([stream])
    counter = Counter("many")
    for by in range(1, 251):
        counter.increment(by)
    app.save(counter)
    relay = Relay(bus, app, translate, positions_recorder(app), batch=100, poll_s=0.1)
    await relay.start()
    await eventually(lambda: relay.position == 251, what="every notification relayed")
    await relay.stop()
    assert [envelope.data["value"] for _, envelope in await published(bus, stream)] == list(range(1, 251))
    await bus.js.delete_stream(stream.name)


async def test_a_crash_after_the_puback_before_saving_republishes_into_dedupe(
    bus: Bus, app: Counters
) -> None:
    stream, _, translate = stream_and_translate()
    await bus.ensure_streams([stream])
    counter = Counter("b")
    counter.increment(7)
    app.save(counter)
    positions = positions_recorder(app)

    class FailingOnce:
        """The position store fails once, as if the process died right after the PubAck."""

        failed = False

        def __getattr__(self, name: str) -> Any:
            return getattr(positions, name)

        def insert_tracking(self, tracking: Any) -> None:
            if not self.failed:
                self.failed = True
                raise ConnectionError("killed after PubAck")
            positions.insert_tracking(tracking)

    relay = Relay(bus, app, translate, FailingOnce(), poll_s=0.1)  # type: ignore[arg-type]
    with correlation("test"):
        await relay.start()
        await eventually(lambda: relay.position == 2, timeout=20, what="retry after the failed save")
    await relay.stop()
    messages = await published(bus, stream)
    assert [msg_id for msg_id, _ in messages] == [f"Counters:{counter.id}:2"], (
        "the republish was dropped as a duplicate"
    )
    await bus.js.delete_stream(stream.name)


async def test_keeps_trying_while_nats_refuses_and_loses_nothing(bus: Bus, app: Counters) -> None:
    stream, _, translate = stream_and_translate()
    counter = Counter("c")
    counter.increment(1)
    app.save(counter)
    relay = Relay(bus, app, translate, positions_recorder(app), poll_s=0.1)
    await relay.start()  # the stream does not exist yet: every publish fails
    await asyncio.sleep(1.0)
    assert relay.position == 0
    await bus.ensure_streams([stream])
    await eventually(lambda: relay.position == 2, timeout=20)
    await relay.stop()
    assert [envelope.data["value"] for _, envelope in await published(bus, stream)] == [1]
    await bus.js.delete_stream(stream.name)


async def test_concurrent_writers_lose_nothing(bus: Bus, app: Counters) -> None:
    # The event store must commit notification ids in order, or the relay would pass over an id
    # that commits late; eventsourcing's DB-functions insert path does not, so it must stay off.
    assert "POSTGRES_ENABLE_DB_FUNCTIONS" not in postgres_env("postgresql://x@h/db")
    stream, _, translate = stream_and_translate()
    await bus.ensure_streams([stream])
    relay = Relay(bus, app, translate, positions_recorder(app), poll_s=0.05)
    await relay.start()

    def write(name: str) -> None:
        for _ in range(40):
            counter = Counter(name)
            counter.increment(1)
            app.save(counter)

    await asyncio.gather(*(asyncio.to_thread(write, f"w{i}") for i in range(3)))
    await eventually(lambda: relay.position == 240, timeout=30, what="every notification relayed")
    await relay.stop()
    info = await bus.js.stream_info(stream.name)
    assert info.state.messages == 120, "one publication per increment, none lost, none twice"
    await bus.js.delete_stream(stream.name)

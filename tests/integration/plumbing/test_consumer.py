"""The durable consumer against real NATS (and PostgreSQL for idempotency)."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from pathlib import Path

import nats.js.errors
import pytest
from prometheus_client import REGISTRY
from psycopg_pool import AsyncConnectionPool
from support.consumers import NoteV1, make_consumer, settled, setup
from support.waiting import eventually

from contracts import Envelope, Message
from contracts.subjects import DEADLETTER, Durable
from contracts.system import MessageDeadLetteredV1
from devstack.nats import NatsServer
from devstack.procs import free_port
from plumbing import inbox, postgres
from plumbing.bus import Bus
from plumbing.errors import Unavailable
from plumbing.logging import correlation, current_causation_id, current_correlation_id


async def dead_letter(bus: Bus, durable: Durable) -> MessageDeadLetteredV1:
    raw = await bus.js.get_last_msg(DEADLETTER.name, durable.dead_letter_subject)
    assert raw.data is not None
    return MessageDeadLetteredV1.model_validate(Envelope.from_bytes(raw.data).data)


@pytest.fixture
async def pool(postgres_url: str) -> AsyncIterator[AsyncConnectionPool]:
    async with postgres.open_pool(postgres_url, max_size=4) as opened:
        await inbox.ensure_schema(opened)
        async with opened.connection() as conn:
            await conn.execute("CREATE TABLE work (message_id text NOT NULL, text text NOT NULL)")
        yield opened


async def test_a_redelivered_message_is_handled_once(bus: Bus, pool: AsyncConnectionPool) -> None:
    stream, durable, subject = setup(ack_wait_s=1.0)
    await bus.ensure_streams([stream, DEADLETTER])
    calls = 0
    stalled = asyncio.Event()

    async def work(conn: object, message: Message, envelope: Envelope) -> None:
        await conn.execute(  # type: ignore[attr-defined]
            "INSERT INTO work VALUES (%s, %s)", (envelope.message_id, envelope.data["text"])
        )

    recorded = inbox.once(pool, durable.name, work)

    async def handler(message: Message, envelope: Envelope) -> None:
        nonlocal calls
        calls += 1
        await recorded(message, envelope)
        if calls == 1:
            # The work is committed; the process now hangs and dies before it can ack.
            stalled.set()
            await asyncio.Event().wait()

    first = make_consumer(bus, durable, handler)
    await first.start()
    await bus.publish(subject, NoteV1(text="olá"))
    await asyncio.wait_for(stalled.wait(), 10)
    assert first._task is not None
    first._task.cancel()  # kill: neither ack nor nak reaches the server

    restarted = make_consumer(bus, durable, handler)
    await restarted.start()
    await eventually(lambda: calls == 2, what="redelivery after ack_wait")
    await eventually(lambda: settled(bus, durable), what="acked after the duplicate was skipped")
    await restarted.stop()
    async with pool.connection() as conn:
        rows = await (await conn.execute("SELECT text FROM work")).fetchall()
    assert rows == [("olá",)]
    await bus.js.delete_stream(stream.name)


async def test_poison_is_dead_lettered_after_max_deliver_while_later_messages_flow(bus: Bus) -> None:
    stream, durable, subject = setup(max_deliver=3)
    await bus.ensure_streams([stream, DEADLETTER])
    attempts = 0
    handled: list[tuple[str, int]] = []

    async def handler(note: NoteV1, envelope: Envelope) -> None:
        nonlocal attempts
        if note.text == "poison":
            attempts += 1
            raise ValueError("boom")
        handled.append((note.text, attempts))

    consumer = make_consumer(bus, durable, handler)
    await consumer.start()
    poison = await bus.publish(subject, NoteV1(text="poison"))
    await bus.publish(subject, NoteV1(text="second"))
    await bus.publish(subject, NoteV1(text="third"))

    await eventually(lambda: len(handled) == 2, what="later messages")
    assert [text for text, _ in handled] == ["second", "third"]
    assert all(seen < durable.max_deliver for _, seen in handled), "later messages waited for the poison"
    await eventually(lambda: settled(bus, durable), what="poison terminated")
    await consumer.stop()

    assert attempts == durable.max_deliver
    report = await dead_letter(bus, durable)
    assert report.deliveries == durable.max_deliver
    assert report.error == "ValueError: boom"
    assert report.stream_sequence == poison.seq
    original = Envelope.from_bytes(base64.b64decode(report.original_data))
    assert original.data == {"text": "poison"}
    assert report.original_message_id == original.message_id
    await bus.js.delete_stream(stream.name)


async def test_a_malformed_message_is_dead_lettered_at_once(bus: Bus) -> None:
    stream, durable, subject = setup(max_deliver=5)
    await bus.ensure_streams([stream, DEADLETTER])
    handled: list[str] = []

    async def handler(note: NoteV1, envelope: Envelope) -> None:
        handled.append(note.text)

    consumer = make_consumer(bus, durable, handler)
    await consumer.start()
    await bus.js.publish(subject, b"\xff not an envelope")
    await bus.publish(subject, NoteV1(text="fine"))
    await eventually(lambda: handled == ["fine"], what="the good message")
    await eventually(lambda: settled(bus, durable))
    await consumer.stop()
    report = await dead_letter(bus, durable)
    assert report.deliveries == 1
    assert report.error.startswith("malformed envelope")
    assert base64.b64decode(report.original_data) == b"\xff not an envelope"
    await bus.js.delete_stream(stream.name)


async def test_long_work_is_kept_alive_and_not_redelivered(bus: Bus) -> None:
    stream, durable, subject = setup(ack_wait_s=1.0)
    await bus.ensure_streams([stream, DEADLETTER])
    deliveries: list[str] = []

    async def slow(note: NoteV1, envelope: Envelope) -> None:
        deliveries.append(envelope.message_id)
        await asyncio.sleep(3.5)  # well past ack_wait: only in_progress() keeps it ours

    consumer = make_consumer(bus, durable, slow)
    await consumer.start()
    await bus.publish(subject, NoteV1(text="slow"))
    await eventually(lambda: len(deliveries) == 1)
    await eventually(lambda: settled(bus, durable), timeout=20)
    await consumer.stop()
    assert len(deliveries) == 1
    await bus.js.delete_stream(stream.name)


async def test_correlation_travels_from_publisher_to_handler(bus: Bus) -> None:
    stream, durable, subject = setup()
    await bus.ensure_streams([stream, DEADLETTER])
    seen: list[tuple[str | None, str | None, str]] = []

    async def handler(note: NoteV1, envelope: Envelope) -> None:
        seen.append((current_correlation_id(), current_causation_id(), envelope.message_id))

    consumer = make_consumer(bus, durable, handler)
    await consumer.start()
    with correlation("http-request-42"):
        await bus.publish(subject, NoteV1(text="x"))
    await eventually(lambda: len(seen) == 1)
    await consumer.stop()
    correlation_id, causation_id, message_id = seen[0]
    assert correlation_id == "http-request-42"
    assert causation_id == message_id
    await bus.js.delete_stream(stream.name)


async def test_consumer_resumes_by_itself_after_the_server_restarts(tmp_path: Path) -> None:
    server = NatsServer(port=free_port(), monitor_port=free_port(), store_dir=tmp_path / "nats")
    server.start()
    try:
        bus = await Bus.connect(server.url, "restart-test")
        stream, durable, subject = setup()
        await bus.ensure_streams([stream, DEADLETTER])
        handled: list[str] = []

        async def handler(note: NoteV1, envelope: Envelope) -> None:
            handled.append(note.text)

        consumer = make_consumer(bus, durable, handler)
        await consumer.start()
        await bus.publish(subject, NoteV1(text="before"))
        await eventually(lambda: handled == ["before"])

        server.stop()
        await eventually(lambda: not bus.connected, what="disconnect")
        server.start()
        await eventually(lambda: bus.connected, timeout=20, what="reconnect")
        await bus.publish(subject, NoteV1(text="after"))
        await eventually(lambda: handled == ["before", "after"], timeout=20, what="re-pull after restart")
        assert consumer.healthy
        await consumer.stop()
        await bus.close()
    finally:
        server.stop()


async def test_an_invalid_body_is_dead_lettered_at_once_but_a_handler_bug_is_retried(bus: Bus) -> None:
    stream, durable, subject = setup(max_deliver=3)
    await bus.ensure_streams([stream, DEADLETTER])
    calls: list[str] = []

    async def handler(note: NoteV1, envelope: Envelope) -> None:
        calls.append(note.text)
        if len(calls) == 1:
            NoteV1.model_validate({})  # our own bug: a ValidationError that is not the sender's fault

    consumer = make_consumer(bus, durable, handler)
    await consumer.start()
    await bus.publish_envelope(
        subject, Envelope.wrap(NoteV1(text="x")).model_copy(update={"data": {"txt": 1}})
    )
    await bus.publish(subject, NoteV1(text="retried"))
    await eventually(lambda: calls == ["retried", "retried"], what="retry after the handler's own error")
    await eventually(lambda: settled(bus, durable))
    await consumer.stop()
    report = await dead_letter(bus, durable)
    assert report.deliveries == 1
    assert report.error == "invalid test.Note.v1: text"
    await bus.js.delete_stream(stream.name)


async def test_stopping_hands_the_rest_of_the_batch_back_at_once(bus: Bus) -> None:
    stream, durable, subject = setup(ack_wait_s=30.0)
    await bus.ensure_streams([stream, DEADLETTER])
    first_started = asyncio.Event()
    release = asyncio.Event()
    first_seen: list[str] = []
    second_seen: list[str] = []

    async def blocking(note: NoteV1, envelope: Envelope) -> None:
        first_seen.append(note.text)
        first_started.set()
        await release.wait()

    async def quick(note: NoteV1, envelope: Envelope) -> None:
        second_seen.append(note.text)

    for index in range(5):
        await bus.publish(subject, NoteV1(text=str(index)))
    leaving = make_consumer(bus, durable, blocking, batch=5)
    await leaving.start()
    await first_started.wait()
    stopping = asyncio.create_task(leaving.stop())
    await asyncio.sleep(0.2)
    release.set()
    await stopping
    assert first_seen == ["0"], "only the message in hand is finished"

    other = make_consumer(bus, durable, quick)
    await other.start()
    # Well inside ack_wait (30 s): the rest came back because they were handed back, not timed out.
    await eventually(lambda: sorted(second_seen) == ["1", "2", "3", "4"], timeout=10)
    await other.stop()
    await bus.js.delete_stream(stream.name)


async def test_the_lag_gauge_counts_what_waits_and_falls_to_zero(bus: Bus) -> None:
    stream, durable, subject = setup()
    await bus.ensure_streams([stream, DEADLETTER])
    release = asyncio.Event()
    seen: list[str] = []

    async def slow_first(note: NoteV1, envelope: Envelope) -> None:
        seen.append(note.text)
        if note.text == "0":
            await release.wait()

    for index in range(4):
        await bus.publish(subject, NoteV1(text=str(index)))
    consumer = make_consumer(bus, durable, slow_first, batch=1)
    await consumer.start()
    await eventually(lambda: seen == ["0"])
    release.set()
    await eventually(lambda: len(seen) == 4)
    lag = REGISTRY.get_sample_value("atende_consumer_pending_messages", {"consumer": durable.name})
    assert lag is not None and lag < 3, "the first message said three waited behind it; the last, none"
    await eventually(
        lambda: REGISTRY.get_sample_value("atende_consumer_pending_messages", {"consumer": durable.name}) == 0
    )
    await consumer.stop()
    await bus.js.delete_stream(stream.name)


async def test_a_dependency_away_holds_the_message_however_long_and_dead_letters_nothing(bus: Bus) -> None:
    stream, durable, subject = setup(max_deliver=2, ack_wait_s=1.0)
    await bus.ensure_streams([stream, DEADLETTER])
    attempts: list[str] = []
    handled: list[tuple[str, int]] = []

    async def flaky_server(note: NoteV1, envelope: Envelope) -> None:
        attempts.append(note.text)
        if len(attempts) <= 6:  # three times max_deliver, and past several ack waits
            raise Unavailable("smtp_unavailable")
        handled.append((note.text, len(attempts)))

    await bus.publish(subject, NoteV1(text="mail"))
    consumer = make_consumer(bus, durable, flaky_server)
    await consumer.start()
    await eventually(lambda: bool(handled), timeout=20, what="the message handled once the server is back")
    await consumer.stop()
    assert handled == [("mail", 7)] and attempts == ["mail"] * 7
    info = await bus.js.consumer_info(stream.name, durable.name)
    assert info.num_redelivered == 0, "held in hand, never redelivered"
    assert await settled(bus, durable)
    with pytest.raises(nats.js.errors.NotFoundError):
        await bus.js.get_last_msg(DEADLETTER.name, durable.dead_letter_subject)
    await bus.js.delete_stream(stream.name)

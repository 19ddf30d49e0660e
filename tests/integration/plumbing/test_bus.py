"""The bus against a real NATS server: streams, dedupe, request-reply, errors, correlation."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from nats.js.api import StreamConfig
from nats.js.errors import NoStreamResponseError, NotFoundError, ServerError
from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict
from support.waiting import eventually

from contracts import Envelope, Message
from contracts.subjects import Stream
from devstack.nats import NatsServer
from devstack.procs import free_port
from plumbing.bus import Bus, NotConnected, RemoteError, stream_config
from plumbing.errors import Conflict
from plumbing.logging import correlation, current_correlation_id
from plumbing.runtime import open_runtime
from plumbing.settings import ServiceSettings


class EchoV1(Message):
    """A test command (not registered: tests must not change the published catalogue)."""

    TYPE = "test.Echo"
    VERSION = 1

    text: str
    fail: str | None = None


def unique_stream() -> Stream:
    token = uuid.uuid4().hex[:8]
    return Stream(f"TEST_{token.upper()}", (f"test.{token}.>",), "any", "test stream", duplicate_window_s=60)


async def test_ensure_streams_is_idempotent_and_updates_configuration(bus: Bus) -> None:
    stream = unique_stream()
    await bus.ensure_streams([stream])
    await bus.ensure_streams([stream])
    changed = Stream(stream.name, stream.subjects, "any", "changed description", max_age_days=7)
    await bus.ensure_streams([changed])
    info = await bus.js.stream_info(stream.name)
    assert isinstance(info.config, StreamConfig)
    assert info.config.description == "changed description"
    assert info.config.max_age == pytest.approx(7 * 86400)
    await bus.js.delete_stream(stream.name)


def test_stream_config_is_the_contract_on_the_given_number_of_servers() -> None:
    stream = Stream("TEST_CONFIG", ("test.config.>",), "any", "kept", max_age_days=7, duplicate_window_s=60)
    config = stream_config(stream, replicas=3)
    assert config.num_replicas == 3
    assert (config.name, config.subjects, config.description) == ("TEST_CONFIG", ["test.config.>"], "kept")
    assert (config.max_age, config.duplicate_window) == (7 * 86400, 60)
    assert stream_config(stream).num_replicas == 1, "one replica unless told otherwise"
    with pytest.raises(ValueError, match="at least one replica"):
        stream_config(stream, replicas=0)


async def test_ensure_streams_sets_the_replicas_and_a_single_server_refuses_more(bus: Bus) -> None:
    kept, refused = unique_stream(), unique_stream()
    await bus.ensure_streams([kept], replicas=1)
    info = await bus.js.stream_info(kept.name)
    assert info.config.num_replicas == 1
    # The test NATS is one server: replicas 3 needs a cluster, and it says so rather than half-working.
    with pytest.raises(ServerError) as error:
        await bus.ensure_streams([refused], replicas=3)
    assert error.value.err_code == 10074
    assert error.value.description is not None and "non-clustered" in error.value.description
    with pytest.raises(NotFoundError):
        await bus.js.stream_info(refused.name)
    await bus.js.delete_stream(kept.name)


class ReplicatedSettings(ServiceSettings):
    """A test service's settings, read from ATENDE_TESTREPL_* as a real service reads its own."""

    model_config = SettingsConfigDict(env_prefix="ATENDE_TESTREPL_", extra="ignore", frozen=True)


async def test_the_runtime_creates_its_streams_with_the_configured_replicas(
    nats_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = unique_stream()
    monkeypatch.setenv("ATENDE_TESTREPL_NATS_URL", nats_url)
    monkeypatch.setenv("ATENDE_TESTREPL_STREAM_REPLICAS", "3")
    settings = ReplicatedSettings()
    assert settings.stream_replicas == 3
    for impossible in ("0", "6"):  # JetStream keeps 1 to 5 copies
        monkeypatch.setenv("ATENDE_TESTREPL_STREAM_REPLICAS", impossible)
        with pytest.raises(ValidationError):
            ReplicatedSettings()
    with pytest.raises(ServerError):
        async with open_runtime("repl", settings, version="1.0.0", description="test", streams=[stream]):
            pass
    monkeypatch.setenv("ATENDE_TESTREPL_STREAM_REPLICAS", "1")
    async with open_runtime(
        "repl", ReplicatedSettings(), version="1.0.0", description="test", streams=[stream]
    ):
        pass
    checker = await Bus.connect(nats_url, "checker")
    try:
        assert (await checker.js.stream_info(stream.name)).config.num_replicas == 1
        await checker.js.delete_stream(stream.name)
    finally:
        await checker.close()


async def test_publish_is_deduplicated_by_message_id(bus: Bus) -> None:
    stream = unique_stream()
    await bus.ensure_streams([stream])
    subject = stream.subjects[0].replace(">", "echo")
    first = await bus.publish(subject, EchoV1(text="oi"), message_id="same-id")
    again = await bus.publish(subject, EchoV1(text="oi"), message_id="same-id")
    other = await bus.publish(subject, EchoV1(text="oi"))
    assert not first.duplicate and again.duplicate and not other.duplicate
    assert (await bus.js.stream_info(stream.name)).state.messages == 2
    await bus.js.delete_stream(stream.name)


async def test_publish_many_keeps_order_dedupes_and_fails_without_a_stream(bus: Bus) -> None:
    stream = unique_stream()
    subject = stream.subjects[0].replace(">", "echo")
    batch = [
        (subject, Envelope.wrap(EchoV1(text=str(n)), message_id=f"many-{n}", correlation_id="corr-many"))
        for n in range(20)
    ]
    with pytest.raises(NoStreamResponseError):
        await bus.publish_many(batch)
    await bus.ensure_streams([stream])
    acks = await bus.publish_many(batch)
    again = await bus.publish_many(batch[:3])
    assert [ack.seq for ack in acks] == list(range(1, 21)), "stored in the order given"
    assert all(ack.duplicate for ack in again) and not any(ack.duplicate for ack in acks)
    first = await bus.js.get_msg(stream.name, 1)
    assert first.headers is not None and first.headers["Nats-Msg-Id"] == "many-0"
    assert first.data is not None and Envelope.from_bytes(first.data).data == {"text": "0", "fail": None}
    await bus.js.delete_stream(stream.name)


async def test_request_reply_carries_correlation_and_maps_errors(bus: Bus) -> None:
    subject = f"test.{uuid.uuid4().hex[:8]}.echo"
    seen: list[tuple[str | None, str | None]] = []

    async def echo(command: EchoV1, envelope: Envelope) -> Message:
        seen.append((current_correlation_id(), envelope.correlation_id))
        if command.fail == "conflict":
            raise Conflict("stale_version", current_version=3)
        if command.fail == "crash":
            raise RuntimeError("secret internals")
        return EchoV1(text=command.text.upper())

    await bus.serve("echo", subject, EchoV1, echo)

    with correlation("corr-123"):
        reply = await bus.request(subject, EchoV1(text="olá"), EchoV1)
    assert reply.text == "OLÁ"
    assert seen == [("corr-123", "corr-123")]

    with pytest.raises(RemoteError) as refused:
        await bus.request(subject, EchoV1(text="x", fail="conflict"), EchoV1)
    assert (refused.value.code, refused.value.reason) == ("409", "stale_version")
    assert refused.value.detail == {"current_version": 3}

    with pytest.raises(RemoteError) as crashed:
        await bus.request(subject, EchoV1(text="x", fail="crash"), EchoV1)
    assert crashed.value.code == "500" and "secret" not in crashed.value.reason

    invalid = Envelope.wrap(EchoV1(text="x")).model_copy(update={"data": {"fail": 3}})
    refused_body = await bus.nc.request(subject, invalid.to_bytes(), timeout=2)
    assert refused_body.headers is not None
    assert refused_body.headers["Nats-Service-Error-Code"] == "422"
    assert json.loads(refused_body.headers["Atende-Error-Detail"])["errors"] == [
        {"field": "text", "reason": "missing"},
        {"field": "fail", "reason": "string_type"},
    ]

    raw = await bus.nc.request(subject, b"{not json", timeout=2)
    assert raw.headers is not None and raw.headers["Nats-Service-Error-Code"] == "422"


async def test_replicas_share_requests_through_the_queue_group(nats_url: str) -> None:
    subject = f"test.{uuid.uuid4().hex[:8]}.who"
    name = f"replica-{uuid.uuid4().hex[:6]}"
    replicas = [await Bus.connect(nats_url, name) for _ in range(2)]
    caller = await Bus.connect(nats_url, "caller")
    served: list[int] = []
    try:
        for index, replica in enumerate(replicas):

            async def who(command: EchoV1, envelope: Envelope, index: int = index) -> Message:
                served.append(index)
                return EchoV1(text=str(index))

            await replica.announce("1.0.0", "replica")
            await replica.serve("who", subject, EchoV1, who)
        await asyncio.gather(*(caller.request(subject, EchoV1(text="?"), EchoV1) for _ in range(40)))
        assert len(served) == 40, "each request answered exactly once"
        assert set(served) == {0, 1}, "both replicas took work"
        pings = await caller.ping_services()
        assert sum(1 for ping in pings if ping["name"] == name) == 2
    finally:
        for member in [*replicas, caller]:
            await member.close()


def test_envelope_time_is_aware() -> None:
    envelope = Envelope.wrap(EchoV1(text="x"))
    assert envelope.occurred_at.tzinfo is not None
    assert abs((datetime.now(UTC) - envelope.occurred_at).total_seconds()) < 5


async def test_an_endpoint_answers_as_soon_as_serve_returns(nats_url: str) -> None:
    caller = await Bus.connect(nats_url, "caller")
    try:
        for _ in range(20):
            server = await Bus.connect(nats_url, f"fresh-{uuid.uuid4().hex[:6]}")
            subject = f"test.{uuid.uuid4().hex[:8]}.ready"

            async def echo(command: EchoV1, envelope: Envelope) -> Message:
                return command

            await server.serve("ready", subject, EchoV1, echo)
            # No sleep: a caller on another connection must not see "no responders".
            assert (await caller.request(subject, EchoV1(text="já"), EchoV1)).text == "já"
            await server.close()
    finally:
        await caller.close()


async def test_slow_requests_do_not_hold_up_the_others(bus: Bus, nats_url: str) -> None:
    subject = f"test.{uuid.uuid4().hex[:8]}.slow"

    async def slow(command: EchoV1, envelope: Envelope) -> Message:
        await asyncio.sleep(1.0)
        return command

    await bus.serve("slow", subject, EchoV1, slow)
    caller = await Bus.connect(nats_url, "caller")
    started = time.monotonic()
    await asyncio.gather(*(caller.request(subject, EchoV1(text=str(i)), EchoV1) for i in range(5)))
    assert time.monotonic() - started < 2.5, "five 1 s requests ran one after another"
    await caller.close()


async def test_closing_answers_the_requests_already_received(nats_url: str) -> None:
    subject = f"test.{uuid.uuid4().hex[:8]}.closing"
    server = await Bus.connect(nats_url, "closing")
    caller = await Bus.connect(nats_url, "caller")
    entered = asyncio.Event()

    async def slow(command: EchoV1, envelope: Envelope) -> Message:
        entered.set()
        await asyncio.sleep(0.5)
        return EchoV1(text=command.text.upper())

    await server.serve("closing", subject, EchoV1, slow)
    in_flight = asyncio.create_task(caller.request(subject, EchoV1(text="a"), EchoV1))
    await entered.wait()
    await server.close()  # e.g. SIGTERM during a request
    assert (await in_flight).text == "A"
    await caller.close()


async def test_connect_gives_up_after_its_timeout_with_no_server() -> None:
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        await Bus.connect(f"nats://user:secret@127.0.0.1:{free_port()}", "nobody-home", connect_timeout=1.0)
    assert time.monotonic() - started < 5


async def test_a_request_while_nats_is_away_waits_for_it_or_is_never_sent(tmp_path: Path) -> None:
    """Not buffered for later: a request that gave up must not reach the service on reconnection."""
    server = NatsServer(port=free_port(), monitor_port=free_port(), store_dir=tmp_path / "nats")
    server.start()
    try:
        bus = await Bus.connect(server.url, "away")  # serves and asks on one connection: SUB before PUB
        subject, handled = f"test.{uuid.uuid4().hex[:8]}.away", []

        async def note(command: EchoV1, envelope: Envelope) -> Message:
            handled.append(command.text)
            return command

        await bus.serve("away", subject, EchoV1, note)
        server.stop()
        await eventually(lambda: not bus.connected, what="the connection lost")
        with pytest.raises(NotConnected):
            await bus.request(subject, EchoV1(text="gave up"), EchoV1, timeout=1)
        waiting = asyncio.create_task(bus.request(subject, EchoV1(text="waited"), EchoV1, timeout=20))
        await asyncio.to_thread(server.start)
        assert (await waiting).text == "waited", "a request made during a short outage is answered"
        assert (await bus.request(subject, EchoV1(text="after"), EchoV1)).text == "after"
        assert handled == ["waited", "after"], "the request that gave up never reached the service"
        await bus.close()
    finally:
        server.stop()

"""How fast a DurableConsumer handles published facts: fetch, envelope parse, handler, ack."""

from __future__ import annotations

import asyncio
from time import perf_counter_ns

from bench.scenarios import BenchContext, Sample, scenario
from contracts import Envelope, Message
from contracts.registry import Registry
from contracts.subjects import DEADLETTER, Durable, Stream
from plumbing.bus import Bus
from plumbing.consumer import DurableConsumer


class FactV1(Message):
    """A small fact (not registered in the contracts catalogue)."""

    TYPE = "bench.Fact"
    VERSION = 1
    seq: int


FACTS = Registry()
FACTS.add(FactV1)


@scenario("durable_consumer_throughput", unit="messages handled", baseline="js_publish")
async def durable_consumer_throughput(ctx: BenchContext) -> Sample:
    """Publish N envelopes (awaiting each PubAck), then time until a DurableConsumer has acked them all."""
    n = ctx.count(5_000, 200)
    name = ctx.unique("BENCH_CONSUMER").upper()
    subject = f"bench.{name.lower()}.fact"
    stream = Stream(name, (f"bench.{name.lower()}.>",), "any", "bench", max_age_days=1)
    durable = Durable(f"d-{name.lower()}", stream, "any", (subject,), max_deliver=3)
    bus = await Bus.connect(ctx.endpoints.nats_url, "bench-consumer", connect_timeout=5)
    handled = 0
    done = asyncio.Event()
    latencies: list[int] = []
    last = perf_counter_ns()

    async def handler(fact: Message, envelope: Envelope) -> None:
        nonlocal handled, last
        now = perf_counter_ns()
        latencies.append(now - last)
        last = now
        handled += 1
        if handled == n:
            done.set()

    try:
        await bus.ensure_streams([stream, DEADLETTER])
        for seq in range(n):
            await bus.publish(subject, FactV1(seq=seq))
        consumer = DurableConsumer(bus, durable, handler, registry=FACTS, batch=100, fetch_timeout=2.0)
        start = last = perf_counter_ns()
        await consumer.start()
        await asyncio.wait_for(done.wait(), timeout=120)
        elapsed = perf_counter_ns() - start
        await consumer.stop()
    finally:
        await bus.js.delete_stream(name)
        await bus.close()
    # Latencies here are the gaps between consecutive handled messages (per-message cost in a stream).
    return Sample(
        n, elapsed / 1e9, latencies, {"batch": 100, "latency_means": "gap between handled messages"}
    )

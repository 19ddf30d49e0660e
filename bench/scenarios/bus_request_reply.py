"""What the plumbing adds to a NATS round trip: envelope, pydantic validation, micro endpoint, metrics."""

from __future__ import annotations

from time import perf_counter_ns

from bench.scenarios import BenchContext, Sample, scenario
from contracts import Envelope, Message
from plumbing.bus import Bus


class PingV1(Message):
    """A small command, shaped like a real one (not registered in the contracts catalogue)."""

    TYPE = "bench.Ping"
    VERSION = 1
    text: str


@scenario("bus_request_reply", unit="requests", baseline="nats_rtt")
async def bus_request_reply(ctx: BenchContext) -> Sample:
    """Sequential Bus.request → Bus.serve round trips (envelope and body validated both ways) on one NATS."""
    n = ctx.count(5_000, 200)
    warmup = ctx.count(300, 20)
    subject = ctx.unique("bench.bus")
    server = await Bus.connect(ctx.endpoints.nats_url, ctx.unique("bench-bus-server"), connect_timeout=5)
    client = await Bus.connect(ctx.endpoints.nats_url, "bench-bus-client", connect_timeout=5)
    try:

        async def echo(command: PingV1, envelope: Envelope) -> Message:
            return command

        await server.serve("ping", subject, PingV1, echo)
        command = PingV1(text="x" * 100)
        for _ in range(warmup):
            await client.request(subject, command, PingV1)
        latencies = []
        start = perf_counter_ns()
        for _ in range(n):
            t0 = perf_counter_ns()
            await client.request(subject, command, PingV1)
            latencies.append(perf_counter_ns() - t0)
        elapsed = perf_counter_ns() - start
    finally:
        await client.close()
        await server.close()
    return Sample(n, elapsed / 1e9, latencies, {"payload_text_bytes": 100})

"""How fast JetStream turns away a republished Nats-Msg-Id: the relay's retry path after a lost PubAck."""

from __future__ import annotations

from time import perf_counter_ns

from bench.baselines import PAYLOAD, TIMEOUT_S
from bench.scenarios import BenchContext, Sample, scenario
from bench.stats import percentile, rate


@scenario("jetstream_publish_with_msg_id_dedupe", unit="deduped publishes", baseline="js_publish")
async def dedupe(ctx: BenchContext) -> Sample:
    """Publish N messages with unique Nats-Msg-Ids, then republish each id: times the duplicate publishes."""
    n = ctx.count(5_000, 300)
    warmup = ctx.count(200, 20)
    # Shaped like the relay's ids (<app>:<notification id>) so the server's dedupe map holds realistic keys.
    ids = [f"bench:{i}" for i in range(-warmup, n)]
    async with ctx.stream() as stream, ctx.nats("publisher") as nc:
        js = nc.jetstream(timeout=TIMEOUT_S)

        async def publish_all(msg_ids: list[str], expect_duplicate: bool) -> tuple[list[int], int]:
            latencies = []
            start = perf_counter_ns()
            for msg_id in msg_ids:
                t0 = perf_counter_ns()
                ack = await js.publish(stream.subject, PAYLOAD, headers={"Nats-Msg-Id": msg_id})
                latencies.append(perf_counter_ns() - t0)
                if bool(ack.duplicate) != expect_duplicate:
                    raise AssertionError(
                        f"{msg_id}: PubAck.duplicate={ack.duplicate}, expected {expect_duplicate}"
                    )
            return latencies, perf_counter_ns() - start

        await publish_all(ids[:warmup], expect_duplicate=False)
        await publish_all(ids[:warmup], expect_duplicate=True)
        first, first_ns = await publish_all(ids[warmup:], expect_duplicate=False)
        dupes, dupes_ns = await publish_all(ids[warmup:], expect_duplicate=True)
        stored = (await js.stream_info(stream.name)).state.messages
    if stored != len(ids):
        raise AssertionError(
            f"stream holds {stored} messages, expected {len(ids)}: dedupe let a duplicate in"
        )
    facts: dict[str, object] = {
        "storage": stream.storage,
        "stored_messages": stored,
        "first_publish_rate": round(rate(n, first_ns / 1e9), 1),
        "first_publish_p50_ms": round(percentile([x / 1e6 for x in first], 50), 4),
    }
    return Sample(n, dupes_ns / 1e9, dupes, facts)

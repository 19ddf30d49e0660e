"""The raw baselines every scenario is compared with, measured first in each run."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from time import perf_counter_ns

from psycopg import sql

from bench.context import BenchContext
from bench.model import Benchmark, Body, Sample

# A small command/event-sized body, the same for every baseline and scenario so ratios compare like with like.
PAYLOAD = b"x" * 128
TIMEOUT_S = 5.0
IN_FLIGHT = 50

BASELINES: dict[str, Benchmark] = {}


def baseline(name: str, unit: str) -> Callable[[Body], Body]:
    """Register a baseline; the registry's order is the order they run in."""

    def register(run: Body) -> Body:
        BASELINES[name] = Benchmark(name, unit, (run.__doc__ or name).strip().splitlines()[0], run)
        return run

    return register


def _warmup(ctx: BenchContext) -> int:
    return ctx.count(200, 20)


@baseline("nats_rtt", "requests")
async def nats_rtt(ctx: BenchContext) -> Sample:
    """Core NATS request-reply round trip, one request at a time."""
    n = ctx.count(10_000, 300)
    async with ctx.echo_responder() as subject, ctx.nats("requester") as nc:
        for _ in range(_warmup(ctx)):
            await nc.request(subject, PAYLOAD, timeout=TIMEOUT_S)
        latencies = []
        start = perf_counter_ns()
        for _ in range(n):
            t0 = perf_counter_ns()
            await nc.request(subject, PAYLOAD, timeout=TIMEOUT_S)
            latencies.append(perf_counter_ns() - t0)
        elapsed = perf_counter_ns() - start
    return Sample(n, elapsed / 1e9, latencies, {"payload_bytes": len(PAYLOAD), "in_flight": 1})


@baseline("nats_throughput", "requests")
async def nats_throughput(ctx: BenchContext) -> Sample:
    """Core NATS request-reply with 50 requests in flight (latency is per request under that load)."""
    n = ctx.count(50_000, 1_000)
    latencies: list[int] = []
    async with ctx.echo_responder() as subject, ctx.nats("requester") as nc:

        async def worker(requests: int, record: bool) -> None:
            for _ in range(requests):
                t0 = perf_counter_ns()
                await nc.request(subject, PAYLOAD, timeout=TIMEOUT_S)
                if record:
                    latencies.append(perf_counter_ns() - t0)

        await asyncio.gather(*(worker(_warmup(ctx) // 10 + 1, False) for _ in range(IN_FLIGHT)))
        shares = [n // IN_FLIGHT + (1 if i < n % IN_FLIGHT else 0) for i in range(IN_FLIGHT)]
        start = perf_counter_ns()
        await asyncio.gather(*(worker(share, True) for share in shares))
        elapsed = perf_counter_ns() - start
    return Sample(n, elapsed / 1e9, latencies, {"payload_bytes": len(PAYLOAD), "in_flight": IN_FLIGHT})


@baseline("js_publish", "publishes")
async def js_publish(ctx: BenchContext) -> Sample:
    """JetStream publish awaiting each PubAck, one at a time, to a temporary stream."""
    n = ctx.count(10_000, 300)
    async with ctx.stream() as stream, ctx.nats("publisher") as nc:
        js = nc.jetstream(timeout=TIMEOUT_S)
        for _ in range(_warmup(ctx)):
            await js.publish(stream.subject, PAYLOAD)
        latencies = []
        start = perf_counter_ns()
        for _ in range(n):
            t0 = perf_counter_ns()
            await js.publish(stream.subject, PAYLOAD)
            latencies.append(perf_counter_ns() - t0)
        elapsed = perf_counter_ns() - start
    return Sample(n, elapsed / 1e9, latencies, {"payload_bytes": len(PAYLOAD), "storage": stream.storage})


@baseline("pg_commit", "commits")
async def pg_commit(ctx: BenchContext) -> Sample:
    """PostgreSQL single-row INSERT + COMMIT on one connection."""
    n = ctx.count(5_000, 200)
    # The connection is entered last so it closes first: the table's DROP then never waits on its locks.
    columns = "id bigserial PRIMARY KEY, payload bytea NOT NULL"
    async with ctx.table("bench_commit", columns) as table, ctx.postgres() as conn:
        settings = {}
        for name in ("synchronous_commit", "fsync", "wal_sync_method"):
            row = await (await conn.execute(sql.SQL("SHOW {}").format(sql.Identifier(name)))).fetchone()
            settings[name] = str(row[0]) if row else "?"
        await conn.commit()
        insert = sql.SQL("INSERT INTO {} (payload) VALUES (%s)").format(sql.Identifier(table))
        for _ in range(_warmup(ctx)):
            await conn.execute(insert, (PAYLOAD,))
            await conn.commit()
        latencies = []
        start = perf_counter_ns()
        for _ in range(n):
            t0 = perf_counter_ns()
            await conn.execute(insert, (PAYLOAD,))
            await conn.commit()
            latencies.append(perf_counter_ns() - t0)
        elapsed = perf_counter_ns() - start
    return Sample(n, elapsed / 1e9, latencies, {"payload_bytes": len(PAYLOAD), **settings})


# A 10 MiB object: guide 003's largest attachment.
OBJECT_BYTES = 10 * 1024 * 1024


@baseline("s3_put", "MiB")
async def s3_put(ctx: BenchContext) -> Sample:
    """S3 put of 10 MiB objects through the minio SDK, 8 at once (5 MiB parts, as files stores them)."""
    import io
    import os

    from minio import Minio

    endpoint, access, secret = ctx.endpoints.s3()
    minio = Minio(endpoint, access_key=access, secret_key=secret, secure=False)
    bucket = ctx.unique("bench-s3").replace("_", "-").lower()
    data = os.urandom(OBJECT_BYTES)
    n, in_flight = ctx.count(32, 8), 8

    def put(index: int) -> int:
        t0 = perf_counter_ns()
        minio.put_object(bucket, f"o{index}", io.BytesIO(data), len(data), part_size=5 * 1024 * 1024)
        return perf_counter_ns() - t0

    await asyncio.to_thread(minio.make_bucket, bucket)
    try:
        latencies: list[int] = []
        queue = iter(range(n))

        async def worker() -> None:
            for index in queue:
                latencies.append(await asyncio.to_thread(put, index))

        start = perf_counter_ns()
        await asyncio.gather(*(worker() for _ in range(in_flight)))
        elapsed = perf_counter_ns() - start
    finally:
        for index in range(n):
            await asyncio.to_thread(minio.remove_object, bucket, f"o{index}")
        await asyncio.to_thread(minio.remove_bucket, bucket)
    return Sample(n * OBJECT_BYTES // (1024 * 1024), elapsed / 1e9, latencies, {"in_flight": in_flight})

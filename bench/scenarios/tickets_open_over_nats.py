"""Opening tickets through the tickets service's NATS API: the path the gateway will take."""

from __future__ import annotations

import asyncio
from time import perf_counter_ns

import psycopg
from psycopg import sql

from bench.scenarios import BenchContext, Sample, scenario
from contracts.subjects import OPEN_TICKET_V1
from contracts.ticket_commands import OpenTicketV1, TicketV1
from devstack.postgres import ensure_database
from plumbing.bus import Bus
from tickets.bootstrap import bootstrap
from tickets.config import Settings

CLIENTS = 16


@scenario("tickets_open_over_nats", unit="tickets", baseline="pg_commit")
async def tickets_open_over_nats(ctx: BenchContext) -> Sample:
    """16 concurrent callers open tickets via NATS request-reply → tickets service → event store (+ relay)."""
    n = ctx.count(2_000, 100)
    database = ctx.unique("bench_tickets").lower()
    url = await asyncio.to_thread(ensure_database, ctx.endpoints.postgres_url, database)
    settings = Settings(nats_url=ctx.endpoints.nats_url, postgres_url=url, ops_port=None)
    latencies: list[int] = []
    try:
        async with bootstrap(settings) as runtime:
            runtime.health.started = True
            caller = await Bus.connect(ctx.endpoints.nats_url, "bench-caller", connect_timeout=5)
            try:
                queue: asyncio.Queue[int] = asyncio.Queue()
                for index in range(n):
                    queue.put_nowait(index)

                async def client() -> None:
                    while not queue.empty():
                        index = queue.get_nowait()
                        command = OpenTicketV1(
                            request_id=f"{database}:{index}",
                            customer_email=f"cliente{index % 50}@example.com",
                            subject="Não consigo emitir a nota",
                            body="Aparece um erro ao emitir a nota fiscal.",
                            department="suporte",
                        )
                        t0 = perf_counter_ns()
                        await caller.request(OPEN_TICKET_V1, command, TicketV1, timeout=30)
                        latencies.append(perf_counter_ns() - t0)

                start = perf_counter_ns()
                await asyncio.gather(*(client() for _ in range(CLIENTS)))
                elapsed = perf_counter_ns() - start
            finally:
                await caller.close()
    finally:
        await asyncio.to_thread(_drop, ctx.endpoints.postgres_url, database)
    return Sample(n, elapsed / 1e9, latencies, {"clients": CLIENTS})


def _drop(admin_url: str, database: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))

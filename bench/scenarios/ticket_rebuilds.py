"""Rebuilding from events: one long ticket (snapshots) and the read models from zero (projection)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from time import perf_counter, perf_counter_ns
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql

from bench.scenarios import BenchContext, Sample, scenario
from devstack.postgres import ensure_database
from plumbing.eventstore import postgres_env
from plumbing.projection import Projector
from tickets.application import Tickets
from tickets.views.projection import TicketViews


class _Numbers:
    def __init__(self) -> None:
        self.last = 999

    def take(self, count: int) -> list[int]:
        self.last += count
        return list(range(self.last - count + 1, self.last + 1))


@contextmanager
def _store(ctx: BenchContext, prefix: str) -> Iterator[tuple[Tickets, str]]:
    database = ctx.unique(prefix).lower()
    url = ensure_database(ctx.endpoints.postgres_url, database)
    app = Tickets(_Numbers(), env=postgres_env(url))
    try:
        yield app, url
    finally:
        app.close()
        with psycopg.connect(ctx.endpoints.postgres_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))


def _long_ticket(app: Tickets, request: str, events: int) -> UUID:
    """A ticket of ``events`` events: a conversation of replies and internal notes."""
    ticket = app.open(
        request,
        channel="portal",
        customer_email="maria@example.com",
        customer_name="Maria",
        subject="Integração com o ERP falhando",
        body="A sincronização para às 3h.",
        department="Suporte",
    )
    for n in range(events - 1):
        if n % 2:
            ticket.add_note(f"n{n}", "ana", "Verificando os logs do servidor.", ticket.last_activity_at)
        else:
            ticket.reply(f"r{n}", "customer", "maria@example.com", "Ainda falha.", "portal", [], app.clock())
        if n % 49 == 48:
            app.save(ticket)  # the app snapshots every 50 events, as it would over weeks of saves
    app.save(ticket)
    return ticket.id


@scenario("ticket_rebuild_1000_events", unit="rebuilds", baseline="pg_commit")
async def ticket_rebuild_1000_events(ctx: BenchContext) -> Sample:
    """Load a ticket of 1,000 events from its latest snapshot plus the events after it (target ≤ 5 ms)."""
    n = ctx.count(200, 20)

    def run() -> Sample:
        with _store(ctx, "bench_rebuild") as (app, _):
            ticket_id = _long_ticket(app, "long", 1000)
            latencies = []
            started = perf_counter()
            for _ in range(n):
                t0 = perf_counter_ns()
                app.repository.get(ticket_id)
                latencies.append(perf_counter_ns() - t0)
            elapsed = perf_counter() - started
            replay = _replay_ms(app, ticket_id)
            return Sample(
                n, elapsed, latencies, {"events": 1000, "snapshot_every": 50, "no_snapshot_ms": replay}
            )

    return await asyncio.to_thread(run)


def _replay_ms(app: Tickets, ticket_id: UUID) -> float:
    """The same load from all 1,000 events, for comparison (what snapshots save)."""
    t0 = perf_counter_ns()
    aggregate: Any = None
    for event in app.events.get(ticket_id):
        aggregate = event.mutate(aggregate)
    assert aggregate is not None and aggregate.version == 1000
    return round((perf_counter_ns() - t0) / 1e6, 2)


@scenario("tickets_views_rebuild", unit="events", baseline="pg_commit")
async def tickets_views_rebuild(ctx: BenchContext) -> Sample:
    """Drop the tickets read models and replay every event, in batches with tracking (target ≥ 10,000/s)."""
    tickets = ctx.count(2_000, 200)

    def run() -> Sample:
        with _store(ctx, "bench_views") as (app, _):
            for index in range(tickets):
                _long_ticket(app, f"t{index}", 10)
            projector = Projector(app, TicketViews(), batch=1000)
            projector.create()
            applied, seconds = projector.rebuild()
            return Sample(applied, seconds, [], {"tickets": tickets, "batch": 1000})

    return await asyncio.to_thread(run)

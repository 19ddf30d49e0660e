"""Recurring demands: a seeded history of pt-BR and English tickets and chats grouped by what they are about.

Pure CPU (no server is used): the ratio to ``pg_commit`` only places it beside the other scenarios; the
figure that matters is the documents per second, and its inverse, the seconds for 100,000.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from time import perf_counter, perf_counter_ns
from zoneinfo import ZoneInfo

import psycopg
from psycopg import sql
from psycopg_pool import AsyncConnectionPool

from bench.scenarios import BenchContext, Sample, scenario
from devstack.postgres import ensure_database
from insights.adapters import demands, store
from insights.decisions.application import Decisions
from insights.decisions.view import DecisionsView
from insights.domain.periods import Period
from insights.entrypoints.demands import regroup
from insights.grouping import OTHER, documents, fit
from plumbing import postgres
from plumbing.eventstore import postgres_env
from plumbing.projection import Projector
from tests.support.history import NOISE, history

UTC_ZONE = ZoneInfo("UTC")


@scenario("insights_grouping", unit="documents", baseline="pg_commit")
async def insights_grouping(ctx: BenchContext) -> Sample:
    """Group 100,000 tickets and chats by topic from their texts (target: well under a minute on 2 cores)."""
    count = ctx.count(100_000, 10_000)

    def run() -> Sample:
        made = history(count, seed=7)
        docs = documents(made.tickets, made.chats)
        started = perf_counter()
        grouping = fit(docs)
        seconds = perf_counter() - started
        found = [g for g in grouping.groups if g.key != OTHER]
        pure = sum(Counter(made.topics[m] for m in g.members).most_common(1)[0][1] for g in found)
        other = {m for g in grouping.groups if g.key == OTHER for m in g.members}
        noise = {k for k, topic in made.topics.items() if topic == NOISE}
        facts = {
            "groups": len(found),  # 21 planted: 14 topics, 7 of them in both languages
            "purity": round(pure / sum(g.size for g in found), 4),
            "noise_in_other": round(len(noise & other) / len(noise), 3),
        }
        return Sample(count, seconds, [], facts)

    return await asyncio.to_thread(run)


@scenario("insights_demands_page", unit="pages", baseline="pg_commit")
async def insights_demands_page(ctx: BenchContext) -> Sample:
    """The recurring-demands answer for a month over 100,000 grouped tickets and chats (target ≤ 300 ms)."""
    count = ctx.count(100_000, 10_000)
    asks = ctx.count(50, 10)
    database = ctx.unique("bench_demands").lower()
    url = ensure_database(ctx.endpoints.postgres_url, database)
    now = datetime.now(UTC)
    made = await asyncio.to_thread(history, count, seed=7, start=now - timedelta(days=60), days=60)
    try:
        async with postgres.open_pool(url, max_size=2) as pool:
            async with pool.connection() as conn:
                await store.ensure_schema(conn)
                await demands.ensure_schema(conn)
                await store.save_tickets(conn, made.tickets)
                await store.save_chats(conn, made.chats)
            await regroup(pool, window_days=90)()
            await asyncio.to_thread(_decided, url, await _biggest(pool, 3))
            month = Period.custom((now - timedelta(days=30)).date(), now.date(), UTC_ZONE)
            latencies = []
            started = perf_counter()
            async with pool.connection() as conn:
                for _ in range(asks):
                    t0 = perf_counter_ns()
                    found = await demands.counted(conn, month.start, month.end, month.previous().start, None)
                    latencies.append(perf_counter_ns() - t0)
            return Sample(
                asks,
                perf_counter() - started,
                latencies,
                {
                    "records": count,
                    "demands": len(found),
                    "merged": sum(len(d["merged_from"]) for d in found),
                },
            )
    finally:
        with psycopg.connect(ctx.endpoints.postgres_url, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))


async def _biggest(pool: AsyncConnectionPool, count: int) -> list[str]:
    async with pool.connection() as conn:
        cursor = await conn.execute(
            "SELECT demand_id FROM demand_members GROUP BY demand_id ORDER BY count(*) DESC LIMIT %s",
            (count,),
        )
        return [id for (id,) in await cursor.fetchall()]


def _decided(url: str, ids: list[str]) -> None:
    """Agents' decisions as the page meets them: the biggest demand named and sent, two merged into it."""
    app = Decisions(postgres_env(url))
    try:
        view = Projector(app, DecisionsView())
        view.create()
        target, *merged = ids
        app.rename(target, "Boleto em atraso", by_id="bench", by_name="Bench")
        app.send_to_development(target, "JIRA-1", by_id="bench", by_name="Bench")
        for demand_id in merged:
            app.merge(demand_id, target, by_id="bench", by_name="Bench")
        while view.step():
            pass
    finally:
        app.close()

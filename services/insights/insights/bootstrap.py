"""Composition root of the insights service: NATS facts in, PostgreSQL records kept."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from contracts.subjects import CHAT, DEADLETTER, INSIGHTS_CHAT_DURABLE, INSIGHTS_TICKETS_DURABLE, TICKETS
from insights import VERSION
from insights.adapters import demands, store
from insights.config import Settings
from insights.decisions.store import open_decisions
from insights.decisions.view import DecisionsView
from insights.entrypoints import decisions as demand_decisions
from insights.entrypoints import demands as demand_queries
from insights.entrypoints import queries
from insights.entrypoints.demands import regroup
from insights.entrypoints.facts import handle_facts
from plumbing.consumer import DurableConsumer, tuned
from plumbing.postgres import schema_lock
from plumbing.projection import Projector
from plumbing.runtime import Runtime, open_runtime
from plumbing.worker import Loop


@asynccontextmanager
async def bootstrap(settings: Settings) -> AsyncIterator[Runtime]:
    """Open every dependency of the service; everything closes in reverse order on exit."""
    async with open_runtime(
        "insights",
        settings,
        version=VERSION,
        description="Recurring demands, service figures and satisfaction, from every ticket and chat fact.",
        streams=(TICKETS, CHAT, DEADLETTER),
    ) as runtime:
        pool = await runtime.open_postgres(settings)
        # Replicas starting together create the tables one at a time (IF NOT EXISTS races).
        async with schema_lock(settings.postgres_url):
            async with pool.connection() as conn:
                await store.ensure_schema(conn)
                await demands.ensure_schema(conn)
            # Agents' decisions on demands: events in insights' database, a projection for the page.
            decisions = await runtime.enter(open_decisions(settings.postgres_url))
            decisions_view = Projector(decisions, DecisionsView())
            await decisions_view.start()
            runtime.on_stop(decisions_view.stop)
        handler = handle_facts(pool)
        for durable in (INSIGHTS_TICKETS_DURABLE, INSIGHTS_CHAT_DURABLE):
            await _consume(runtime, DurableConsumer(runtime.bus, tuned(durable, settings), handler))
        await queries.register(runtime.bus, pool, settings)
        await demand_queries.register(runtime.bus, pool, settings)
        await demand_decisions.register(runtime.bus, pool, decisions, decisions_view.include)
        grouping = Loop(
            "insights:demands", regroup(pool, settings.demands_window_days), poll_s=settings.demands_every_s
        )
        grouping.start()
        runtime.on_stop(grouping.stop)
        runtime.health.add("demands-grouping", lambda: grouping.healthy)
        yield runtime


async def _consume(runtime: Runtime, consumer: DurableConsumer) -> None:
    """Start a consumer, stop it with the service, and count it in the service's health."""
    await consumer.start()
    runtime.on_stop(consumer.stop)
    runtime.health.add(f"{consumer.durable.name}-consumer", lambda: consumer.healthy)

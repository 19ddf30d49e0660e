"""Composition root of the tickets service: wires NATS, PostgreSQL and health together."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from contracts.subjects import DEADLETTER, TICKETS, TICKETS_INTAKE
from plumbing import postgres
from plumbing.runtime import Runtime, open_runtime
from tickets import VERSION
from tickets.config import Settings


@asynccontextmanager
async def bootstrap(settings: Settings) -> AsyncIterator[Runtime]:
    """Open every dependency of the service; everything closes in reverse order on exit."""
    async with open_runtime(
        "tickets",
        settings,
        version=VERSION,
        description="Support requests (solicitações): open, reply, change status, close.",
        streams=(TICKETS, TICKETS_INTAKE, DEADLETTER),
    ) as runtime:
        pool = await runtime.enter(
            postgres.open_pool(settings.postgres_url, max_size=settings.postgres_pool_max)
        )
        runtime.health.add("postgres", partial(postgres.ping, pool))
        yield runtime

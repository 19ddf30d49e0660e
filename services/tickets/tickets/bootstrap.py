"""Composition root of the tickets service: wires NATS, PostgreSQL and health together."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from contracts.subjects import DEADLETTER, TICKETS, TICKETS_INTAKE
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
        await runtime.open_postgres(settings)
        yield runtime

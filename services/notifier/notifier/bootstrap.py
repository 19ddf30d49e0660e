"""Composition root of the notifier service: wires NATS, PostgreSQL, SMTP and health together."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from contracts.subjects import DEADLETTER, TICKETS
from notifier import VERSION
from notifier.adapters import smtp
from notifier.config import Settings
from plumbing import inbox
from plumbing.runtime import Runtime, open_runtime


@asynccontextmanager
async def bootstrap(settings: Settings) -> AsyncIterator[Runtime]:
    """Open every dependency of the service; everything closes in reverse order on exit."""
    async with open_runtime(
        "notifier",
        settings,
        version=VERSION,
        description="Emails customers on every answer and status change of their requests.",
        streams=(TICKETS, DEADLETTER),
    ) as runtime:
        pool = await runtime.open_postgres(settings)
        # What was sent is recorded per event id, so a redelivery never sends twice.
        await inbox.ensure_schema(pool)
        runtime.health.add("smtp", partial(smtp.reachable, settings), every_s=15)
        yield runtime

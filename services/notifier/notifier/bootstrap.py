"""Composition root of the notifier service: wires NATS, PostgreSQL, SMTP and health together."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from contracts.subjects import DEADLETTER, NOTIFIER_TICKETS_DURABLE, TICKETS
from notifier import VERSION
from notifier.adapters import known_tickets, smtp
from notifier.adapters.templates import Templates
from notifier.config import Settings
from notifier.entrypoints.consumer import handle_ticket_events
from plumbing import inbox
from plumbing.consumer import DurableConsumer
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
        await known_tickets.ensure_schema(pool)
        templates = Templates(settings.language, settings.public_url)
        handler = handle_ticket_events(pool, settings, templates)
        tickets = DurableConsumer(runtime.bus, NOTIFIER_TICKETS_DURABLE, handler)
        await tickets.start()
        runtime.on_stop(tickets.stop)
        runtime.health.add("tickets-consumer", lambda: tickets.healthy)
        runtime.health.add("smtp", partial(smtp.reachable, settings), every_s=15)
        yield runtime

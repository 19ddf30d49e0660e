"""Opens the Tickets application on the service's own PostgreSQL database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from plumbing.eventstore import postgres_env
from tickets.adapters.numbers import PostgresNumbers
from tickets.application import Tickets


@asynccontextmanager
async def open_tickets(postgres_url: str) -> AsyncIterator[Tickets]:
    """The application, its tables created if missing; closed on exit (eventsourcing is synchronous)."""
    numbers = await asyncio.to_thread(PostgresNumbers, postgres_url)
    try:
        app = await asyncio.to_thread(Tickets, numbers, postgres_env(postgres_url))
        try:
            yield app
        finally:
            await asyncio.to_thread(app.close)
    finally:
        await asyncio.to_thread(numbers.close)

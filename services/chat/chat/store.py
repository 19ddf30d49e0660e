"""Opens the Conversations application on the service's own PostgreSQL database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from chat.application import Conversations
from chat.config import Settings
from plumbing.eventstore import postgres_env


@asynccontextmanager
async def open_conversations(settings: Settings) -> AsyncIterator[Conversations]:
    """The application, its tables created if missing; closed on exit (eventsourcing is synchronous)."""
    app = await asyncio.to_thread(
        Conversations,
        postgres_env(settings.postgres_url),
        cache_size=settings.cache_size,
        snapshot_every=settings.snapshot_every,
    )
    try:
        yield app
    finally:
        await asyncio.to_thread(app.close)

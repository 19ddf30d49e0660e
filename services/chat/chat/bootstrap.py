"""Composition root of the chat service: wires NATS, PostgreSQL and health together."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from chat import VERSION
from chat.config import Settings
from contracts.subjects import DEADLETTER, TICKETS_INTAKE
from plumbing.runtime import Runtime, open_runtime


@asynccontextmanager
async def bootstrap(settings: Settings) -> AsyncIterator[Runtime]:
    """Open every dependency of the service; everything closes in reverse order on exit."""
    async with open_runtime(
        "chat",
        settings,
        version=VERSION,
        description="Live chat: department queues, conversations, files, transcripts.",
        # chat turns an offline message into TicketRequested on the tickets intake stream.
        streams=(TICKETS_INTAKE, DEADLETTER),
    ) as runtime:
        await runtime.open_postgres(settings)
        yield runtime

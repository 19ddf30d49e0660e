"""Composition root of the files service: wires NATS, PostgreSQL, S3 and health together."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from contracts.subjects import DEADLETTER, FILES
from files import VERSION
from files.adapters.storage import Storage, client
from files.config import Settings
from plumbing.runtime import Runtime, open_runtime


@asynccontextmanager
async def bootstrap(settings: Settings) -> AsyncIterator[Runtime]:
    """Open every dependency of the service; everything closes in reverse order on exit."""
    async with open_runtime(
        "files",
        settings,
        version=VERSION,
        description="Validates attachments and stores them in S3; only metadata crosses NATS.",
        streams=(FILES, DEADLETTER),
    ) as runtime:
        await runtime.open_postgres(settings)
        storage = Storage(client(settings), settings.s3_bucket)
        await storage.ensure_bucket()
        runtime.health.add("s3", storage.reachable)
        yield runtime

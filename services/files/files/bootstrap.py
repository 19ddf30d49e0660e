"""Composition root of the files service: wires NATS, PostgreSQL, S3, the private HTTP port and health."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from contracts.subjects import DEADLETTER, FILES
from files import VERSION
from files.adapters.catalog import Catalog
from files.adapters.storage import Storage, client
from files.config import Settings
from files.entrypoints import queries
from files.entrypoints.internal_http import internal_app
from files.sweeper import Sweeper
from files.uploads import Uploads
from plumbing.logging import get_logger
from plumbing.ops import embedded_server
from plumbing.outbox import OutboxPublisher
from plumbing.runtime import Runtime, open_runtime

log = get_logger(__name__)


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
        pool = await runtime.open_postgres(settings)
        catalog = Catalog(pool)
        await catalog.ensure_schema()
        storage = Storage(client(settings), settings.s3_bucket)
        await storage.ensure_bucket()
        runtime.health.add("s3", storage.reachable, every_s=5)
        publisher = OutboxPublisher(pool, runtime.bus)
        publisher.start()
        runtime.on_stop(publisher.stop)
        sweeper = Sweeper(catalog, storage)
        sweeper.worker.start()
        runtime.on_stop(sweeper.worker.stop)
        await queries.register(runtime.bus, catalog)
        uploads = Uploads(catalog, storage, settings, announced=publisher.nudge)
        token = settings.internal_token.get_secret_value()
        server = embedded_server(
            internal_app(uploads, catalog, storage, token), settings.internal_host, settings.internal_port
        )
        await server.start()
        runtime.on_stop(server.stop)
        log.info("internal_http.listening", url=f"http://{settings.internal_host}:{settings.internal_port}")
        if not token:
            log.warning("files.no_internal_token", detail="anyone who reaches the private port may upload")
        yield runtime

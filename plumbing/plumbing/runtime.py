"""What every service process has: settings, a bus, health checks and an orderly shutdown."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from psycopg_pool import AsyncConnectionPool

from contracts.subjects import Stream
from plumbing import postgres
from plumbing.bus import Bus
from plumbing.logging import get_logger
from plumbing.ops import Health, embedded_server, ops_app
from plumbing.settings import PostgresSettings, ServiceSettings

log = get_logger(__name__)
T = TypeVar("T")


@dataclass
class Runtime:
    """Handed to a service's bootstrap.

    Shutdown runs in two stages: first the workers (HTTP servers, consumers, relays, then the bus
    drains its endpoints), latest registered first; then the resources they used (pools, clients).
    """

    name: str
    bus: Bus
    health: Health
    resources: AsyncExitStack
    workers: AsyncExitStack

    async def enter(self, resource: AbstractAsyncContextManager[T]) -> T:
        """Open ``resource`` now; it closes after every worker has stopped and the bus has drained."""
        return await self.resources.enter_async_context(resource)

    async def open_postgres(self, settings: PostgresSettings) -> AsyncConnectionPool:
        """Open the service's own PostgreSQL pool, with a readiness check; closed on shutdown."""
        pool = await self.enter(
            postgres.open_pool(settings.postgres_url, max_size=settings.postgres_pool_max)
        )
        self.health.add("postgres", partial(postgres.ping, pool))
        return pool

    def on_stop(self, callback: Callable[[], Awaitable[None]]) -> None:
        """Stop a worker on shutdown, before the bus drains; the latest registered stops first."""
        self.workers.push_async_callback(callback)


@asynccontextmanager
async def open_runtime(
    name: str, settings: ServiceSettings, *, version: str, description: str, streams: Iterable[Stream] = ()
) -> AsyncIterator[Runtime]:
    """Start ops HTTP, connect NATS, announce the service and ensure ``streams``."""
    health = Health(name)
    async with AsyncExitStack() as resources:
        if settings.ops_port is not None:
            server = embedded_server(ops_app(health), settings.ops_host, settings.ops_port)
            await server.start()
            # Entered first, closed last: probes get answers (503 while stopping) to the end.
            resources.push_async_callback(server.stop)
            log.info("ops.listening", url=f"http://{settings.ops_host}:{settings.ops_port}")
        async with AsyncExitStack() as workers:
            bus = await Bus.connect(settings.nats_url, name)
            workers.push_async_callback(bus.close)
            health.add("nats", lambda: bus.connected)
            await bus.announce(version, description)
            await bus.ensure_streams(streams, replicas=settings.stream_replicas)
            try:
                yield Runtime(name, bus, health, resources, workers)
            finally:
                # Readiness drops first, so load balancers stop sending work while we drain.
                health.stopping = True
                log.info("service.stopping")

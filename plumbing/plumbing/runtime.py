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
    """Handed to a service's bootstrap; everything entered here is closed in reverse order on stop."""

    name: str
    bus: Bus
    health: Health
    stack: AsyncExitStack

    async def enter(self, resource: AbstractAsyncContextManager[T]) -> T:
        """Open ``resource`` now and close it on shutdown (before the bus drains)."""
        return await self.stack.enter_async_context(resource)

    async def open_postgres(self, settings: PostgresSettings) -> AsyncConnectionPool:
        """Open the service's own PostgreSQL pool, with a readiness check; closed on shutdown."""
        pool = await self.enter(
            postgres.open_pool(settings.postgres_url, max_size=settings.postgres_pool_max)
        )
        self.health.add("postgres", partial(postgres.ping, pool))
        return pool

    def on_stop(self, callback: Callable[[], Awaitable[None]]) -> None:
        """Run ``callback`` on shutdown; the latest registered runs first."""
        self.stack.push_async_callback(callback)


@asynccontextmanager
async def open_runtime(
    name: str, settings: ServiceSettings, *, version: str, description: str, streams: Iterable[Stream] = ()
) -> AsyncIterator[Runtime]:
    """Start ops HTTP, connect NATS, register as a micro service and ensure ``streams``."""
    health = Health(name)
    async with AsyncExitStack() as stack:
        if settings.ops_port is not None:
            server = embedded_server(ops_app(health), settings.ops_host, settings.ops_port)
            await server.start()
            stack.push_async_callback(server.stop)
            log.info("ops.listening", url=f"http://{settings.ops_host}:{settings.ops_port}")
        bus = await Bus.connect(settings.nats_url, name)
        stack.push_async_callback(bus.close)
        health.add("nats", lambda: bus.connected)
        await bus.add_service(version, description)
        await bus.ensure_streams(streams)
        runtime = Runtime(name, bus, health, stack)
        try:
            yield runtime
        finally:
            # Readiness drops first, so load balancers stop sending work while we drain.
            health.stopping = True
            log.info("service.stopping")

"""Composition root of the gateway: NATS, then the HTTP server on top of it."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from gateway import VERSION
from gateway.app import create_app
from gateway.config import Settings
from plumbing.logging import get_logger
from plumbing.ops import embedded_server
from plumbing.runtime import Runtime, open_runtime

log = get_logger(__name__)


@asynccontextmanager
async def bootstrap(settings: Settings) -> AsyncIterator[Runtime]:
    """Connect the bus, then serve HTTP; on exit HTTP stops first, then the bus drains."""
    async with open_runtime(
        "gateway", settings, version=VERSION, description="HTTP/WebSocket API and web console over NATS."
    ) as runtime:
        server = embedded_server(create_app(runtime.bus), settings.http_host, settings.http_port)
        await server.start()
        runtime.on_stop(server.stop)
        log.info("http.listening", url=f"http://{settings.http_host}:{settings.http_port}")
        yield runtime

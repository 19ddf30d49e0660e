"""Composition root of the gateway: NATS and its own PostgreSQL (accounts), then the HTTP server."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn

from contracts.subjects import ACCOUNTS
from gateway import VERSION, redaction
from gateway.accounts.mailer import OutboxMailer
from gateway.accounts.schema import ensure_schema
from gateway.accounts.service import Accounts
from gateway.app import create_app
from gateway.config import Settings
from gateway.files.client import FilesClient
from plumbing.logging import get_logger
from plumbing.ops import EmbeddedServer
from plumbing.runtime import Runtime, open_runtime

log = get_logger(__name__)


@dataclass
class GatewayRuntime(Runtime):
    """The runtime, plus the accounts service the app uses (tests and tools reach it here)."""

    accounts: Accounts | None = None


def public_server(app: Any, settings: Settings) -> EmbeddedServer:
    """uvicorn for the public API, without its proxy headers: by default it believes X-Forwarded-For
    from any local peer, and the rate limits must see the real client (gateway.domain.limits does,
    with TRUSTED_PROXIES)."""
    redaction.install()  # its WebSocket lines would carry resume tokens
    config = uvicorn.Config(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        lifespan="off",
        proxy_headers=False,
    )
    return EmbeddedServer(config)


@asynccontextmanager
async def bootstrap(settings: Settings) -> AsyncIterator[GatewayRuntime]:
    """Connect the bus and the database, then serve HTTP; on exit HTTP stops first, then the rest."""
    async with open_runtime(
        "gateway",
        settings,
        version=VERSION,
        description="HTTP/WebSocket API and web console over NATS.",
        streams=(ACCOUNTS,),
    ) as runtime:
        pool = await runtime.open_postgres(settings)
        await ensure_schema(pool)
        accounts = Accounts(pool, settings)
        mailer = OutboxMailer(pool, runtime.bus)
        await mailer.start()
        runtime.on_stop(mailer.stop)
        files = FilesClient(settings.files_url, settings.files_token.get_secret_value())
        runtime.resources.push_async_callback(files.close)
        app = create_app(runtime.bus, accounts, files, settings)
        server = public_server(app, settings)
        await server.start()
        runtime.on_stop(server.stop)
        log.info("http.listening", url=f"http://{settings.http_host}:{settings.http_port}")
        if settings.dev_mode:
            log.warning("gateway.dev_mode", detail="answers carry email links; never in production")
        # Same stacks, health and bus: shutting down is unchanged.
        yield GatewayRuntime(
            runtime.name, runtime.bus, runtime.health, runtime.resources, runtime.workers, accounts
        )

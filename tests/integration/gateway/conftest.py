"""Fixtures of the gateway's tests: a real gateway on the test's database, and its HTTP client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from support.accounts import Start

from devstack.procs import free_port
from gateway.bootstrap import bootstrap
from gateway.config import Settings


@pytest.fixture
def start(nats_url: str, postgres_url: str) -> Start:
    """Start a gateway on the test's database (dev mode unless told otherwise); yields its HTTP client."""

    @asynccontextmanager
    async def started(**overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
        values: dict[str, Any] = {"dev_mode": True} | overrides
        settings = Settings(
            nats_url=nats_url, postgres_url=postgres_url, http_port=free_port(), ops_port=None, **values
        )
        async with (
            bootstrap(settings),
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{settings.http_port}") as client,
        ):
            yield client

    return started


@pytest.fixture
async def client(start: Start) -> AsyncIterator[httpx.AsyncClient]:
    async with start() as started:
        yield started

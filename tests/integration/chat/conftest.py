"""Fixtures for the chat service's integration tests: one running replica per test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from chat_helpers import running

from plumbing.runtime import Runtime


@pytest.fixture
async def chat(nats_url: str, postgres_url: str) -> AsyncIterator[Runtime]:
    async with running(nats_url, postgres_url) as runtime:
        yield runtime

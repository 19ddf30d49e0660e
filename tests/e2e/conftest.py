"""Fixtures of the end-to-end tests that run services as processes: their own NATS, a client, cleanup."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from support.replicas import Replica, end

from devstack.nats import NatsServer
from devstack.procs import free_port
from plumbing.bus import Bus


@pytest.fixture
def own_nats(tmp_path: Path) -> Iterator[NatsServer]:
    """A NATS of its own (the streams, durables and dead letters hold only what this test did),
    which a test may stop and start again on the same port and store."""
    server = NatsServer(port=free_port(), monitor_port=free_port(), store_dir=tmp_path / "nats")
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def bus(own_nats: NatsServer) -> AsyncIterator[Bus]:
    """The test's own connection to that NATS."""
    connected = await Bus.connect(own_nats.url, "e2e-test")
    yield connected
    await connected.close()


@pytest.fixture
def running() -> Iterator[list[Replica]]:
    """Every process a test started; whatever still runs is stopped at the end."""
    replicas: list[Replica] = []
    yield replicas
    end(replicas)

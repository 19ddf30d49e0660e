"""Session fixtures: real NATS, PostgreSQL, S3, SMTP, IMAP and clamd servers, started on first use."""

from __future__ import annotations

import shutil
import signal
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import FrameType

import pytest
from support import infra

from plumbing.bus import Bus


def pytest_configure(config: pytest.Config) -> None:
    """SIGTERM (a CI time limit, `timeout`) ends the run like Ctrl-C, so the servers still stop."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupt)


@pytest.fixture(scope="session")
def servers() -> Iterator[infra.Session]:
    """The session's servers (each starts when a test first asks for it).

    Their data lives outside pytest's tmp tree: every pytest session resets that tree to 0700,
    which would lock out PostgreSQL and Dovecot (they drop root) of a concurrent session.
    """
    root = Path(tempfile.mkdtemp(prefix="atende-test-"))
    try:
        yield from infra.session(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def nats_url(servers: infra.Session) -> str:
    return servers.nats_url


@pytest.fixture(scope="session")
def postgres_admin_url(servers: infra.Session) -> str:
    return servers.postgres_admin_url


@pytest.fixture
def postgres_url(servers: infra.Session) -> str:
    """A fresh database for one test."""
    return servers.database("t")


@pytest.fixture(scope="session")
def s3(servers: infra.Session) -> infra.S3:
    return servers.s3


@pytest.fixture(scope="session")
def mail(servers: infra.Session) -> infra.Mail:
    return servers.mail


@pytest.fixture(scope="session")
def clamd(servers: infra.Session) -> str:
    return servers.clamd


@pytest.fixture
async def bus(nats_url: str) -> AsyncIterator[Bus]:
    """A connected bus for one test, drained afterwards."""
    connected = await Bus.connect(nats_url, f"test-{uuid.uuid4().hex[:8]}")
    yield connected
    await connected.close()


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent

"""Run configuration handed to every benchmark: endpoints, sizes and helpers for temporary resources."""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import nats.aio.client
import psycopg

from bench import resources

DEFAULT_NATS_URL = "nats://127.0.0.1:4222"
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def redact(url: str) -> str:
    """Hide a password in a URL so endpoints can be printed and saved."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


@dataclass(frozen=True)
class Endpoints:
    """Where NATS and PostgreSQL are; devstack sets the variables, defaults match the local servers."""

    nats_url: str
    postgres_url: str

    @classmethod
    def from_env(cls) -> Endpoints:
        """Read ATENDE_NATS_URL and ATENDE_POSTGRES_URL."""
        return cls(
            nats_url=os.environ.get("ATENDE_NATS_URL") or DEFAULT_NATS_URL,
            postgres_url=os.environ.get("ATENDE_POSTGRES_URL") or DEFAULT_POSTGRES_URL,
        )

    def public(self) -> dict[str, str]:
        """Endpoints safe to print."""
        return {"nats": redact(self.nats_url), "postgres": redact(self.postgres_url)}

    @staticmethod
    def s3() -> tuple[str, str, str]:
        """(endpoint, access key, secret key) of the S3 server `devstack exec` started (ATENDE_S3_*)."""
        values = [
            os.environ.get(f"ATENDE_S3_{name}", "") for name in ("ENDPOINT", "ACCESS_KEY", "SECRET_KEY")
        ]
        if not all(values):
            raise RuntimeError("no S3: run through `make bench` (devstack exec starts one)")
        return values[0], values[1], values[2]


@dataclass(frozen=True)
class BenchContext:
    """Everything a baseline or scenario needs; resources it opens through here are cleaned up on exit."""

    endpoints: Endpoints
    quick: bool = False
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:10])
    _serial: Iterator[int] = field(default_factory=itertools.count, repr=False)

    def count(self, full: int, quick: int) -> int:
        """How many operations to time: `quick` for a smoke run, `full` otherwise."""
        return quick if self.quick else full

    def unique(self, prefix: str) -> str:
        """A fresh name per call: runs, rounds and a leftover of a crashed run never collide."""
        return f"{prefix}_{self.run_id}_{next(self._serial)}"

    def nats(self, name: str) -> AbstractAsyncContextManager[nats.aio.client.Client]:
        """A NATS connection, closed on exit."""
        return resources.nats_client(self.endpoints.nats_url, f"bench-{name}")

    def echo_responder(self) -> AbstractAsyncContextManager[str]:
        """A request-reply responder on a unique subject (own connection); yields the subject."""
        return resources.echo_responder(self.endpoints.nats_url, self.unique("bench.echo"))

    def stream(self, prefix: str = "BENCH") -> AbstractAsyncContextManager[resources.Stream]:
        """A temporary JetStream stream, deleted on exit."""
        return resources.temporary_stream(self.endpoints.nats_url, self.unique(prefix))

    def postgres(self) -> AbstractAsyncContextManager[psycopg.AsyncConnection[tuple[object, ...]]]:
        """A PostgreSQL connection (not autocommit), closed on exit."""
        return resources.pg_connection(self.endpoints.postgres_url)

    def table(self, prefix: str, columns: str) -> AbstractAsyncContextManager[str]:
        """A unique table with the given column list, dropped on exit; yields its name."""
        return resources.temporary_table(self.endpoints.postgres_url, self.unique(prefix), columns)

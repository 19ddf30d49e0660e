"""An async PostgreSQL connection pool with a readiness check."""

from __future__ import annotations

import select
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool

# How long a request waits for a pooled connection. While PostgreSQL is down or restarting the pool
# has none to give: the request then fails within this with a retryable 503 instead of hanging, well
# inside the 5 s the gateway waits for a service's answer over NATS.
CHECKOUT_S = 1.0


@asynccontextmanager
async def open_pool(
    url: str, *, max_size: int = 10, timeout: float = 30.0, checkout_s: float = CHECKOUT_S
) -> AsyncIterator[AsyncConnectionPool]:
    """Open a pool, waiting up to ``timeout`` for the first connection; closed on exit.

    Afterwards a checkout waits at most ``checkout_s`` (then ``psycopg_pool.PoolTimeout``, a
    ``psycopg.OperationalError``: plumbing.errors.DATABASE_AWAY); it never hands out a connection the
    server closed while it was idle.
    """
    # Autocommit: a read is one round trip, not BEGIN + query + COMMIT; work that must be atomic
    # says so with ``conn.transaction()``.
    pool: AsyncConnectionPool = AsyncConnectionPool(
        url,
        min_size=1,
        max_size=max_size,
        open=False,
        timeout=checkout_s,
        kwargs={"autocommit": True},
        check=lambda conn: _idle_and_open(pool, conn),
    )
    await pool.open(wait=True, timeout=timeout)
    try:
        yield pool
    finally:
        await pool.close()


async def _idle_and_open(pool: AsyncConnectionPool, conn: psycopg.AsyncConnection[Any]) -> None:
    """The check on checkout, without a round trip: an idle connection has nothing to read unless the
    server said goodbye (a restart) and closed it.

    Such a connection would fail its request with a 503 after PostgreSQL is back, and its idle
    siblings with it, one request each; instead all of them are tested now (``pool.check``) and the
    request gets a fresh one.
    """
    if conn.closed or conn.broken or select.select([conn.fileno()], [], [], 0)[0]:
        await conn.close()
        await pool.check()
        raise psycopg.OperationalError("the server closed this idle connection")


async def ping(pool: AsyncConnectionPool) -> bool:
    """True when a connection answers ``SELECT 1`` within a few seconds."""
    async with pool.connection(timeout=3.0) as conn:
        await conn.execute("SELECT 1")
    return True


@asynccontextmanager
async def schema_lock(url: str) -> AsyncIterator[None]:
    """Hold the database's start-up lock: replicas starting together create tables one at a time.

    ``CREATE ... IF NOT EXISTS`` is not safe when two sessions run it at once (one fails on a
    unique index of the catalogue), and the event store, its relay position and the views all
    create theirs that way. The lock is session-level, on a connection of its own; it goes with it.
    """
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        await conn.execute("SELECT pg_advisory_lock(hashtext('atende.schema'))")
        yield

"""An async PostgreSQL connection pool with a readiness check."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from psycopg_pool import AsyncConnectionPool


@asynccontextmanager
async def open_pool(
    url: str, *, max_size: int = 10, timeout: float = 30.0
) -> AsyncIterator[AsyncConnectionPool]:
    """Open a pool, waiting up to ``timeout`` for the first connection; closed on exit."""
    # check: a connection left broken by a server restart is replaced, not handed to a request.
    pool = AsyncConnectionPool(
        url,
        min_size=1,
        max_size=max_size,
        open=False,
        timeout=timeout,
        check=AsyncConnectionPool.check_connection,
    )
    await pool.open(wait=True, timeout=timeout)
    try:
        yield pool
    finally:
        await pool.close()


async def ping(pool: AsyncConnectionPool) -> bool:
    """True when a connection answers ``SELECT 1`` within a few seconds."""
    async with pool.connection(timeout=3.0) as conn:
        await conn.execute("SELECT 1")
    return True

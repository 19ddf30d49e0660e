"""The shared async pool never hands out a connection the server closed while it sat idle. Real PostgreSQL."""

from __future__ import annotations

import asyncio

import psycopg

from plumbing.postgres import open_pool


async def test_connections_the_server_closed_while_idle_are_replaced_before_a_request_gets_one(
    postgres_url: str,
) -> None:
    async with open_pool(postgres_url, max_size=4) as pool:
        # Four connections in the pool, idle.
        held = [await pool.getconn() for _ in range(4)]
        pids = [conn.info.backend_pid for conn in held]
        for conn in held:
            await pool.putconn(conn)
        # What a restart does to them: the server ends each session and closes its socket.
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", (pids,))
        await asyncio.sleep(0.2)
        # Every request after it works at once: no 503 per broken connection.
        for _ in range(6):
            async with pool.connection() as conn:
                cursor = await conn.execute("SELECT pg_backend_pid()")
                row = await cursor.fetchone()
                assert row is not None and row[0] not in pids

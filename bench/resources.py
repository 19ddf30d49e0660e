"""Temporary NATS and PostgreSQL resources as async context managers that always clean up after themselves."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import nats
import nats.aio.client
import psycopg
from nats.aio.msg import Msg
from nats.js.api import StorageType
from psycopg import sql

# File storage, because the platform's integration-event streams are file-backed; memory would flatter.
JS_STORAGE = StorageType.FILE
# Safety net: if a run is killed before cleanup, a leftover stream's messages expire on their own.
STREAM_MAX_AGE_S = 3600.0
DUPLICATE_WINDOW_S = 120.0


@dataclass(frozen=True)
class Stream:
    """A temporary stream and the one subject it captures."""

    name: str
    subject: str
    storage: str


@asynccontextmanager
async def nats_client(url: str, name: str) -> AsyncIterator[nats.aio.client.Client]:
    """Connect without reconnecting: a benchmark should fail fast, not wait out an outage."""

    async def report(exc: Exception) -> None:  # one line instead of nats.py's default traceback
        print(f"nats ({name}): {type(exc).__name__}: {exc}", file=sys.stderr)

    # max_reconnect_attempts=1, not 0: nats.py 2.16 treats 0 as "retry the first connect forever".
    nc = await nats.connect(
        url,
        name=name,
        connect_timeout=5,
        allow_reconnect=False,
        max_reconnect_attempts=1,
        reconnect_time_wait=0.2,
        error_cb=report,
    )
    try:
        yield nc
    finally:
        await nc.close()


@asynccontextmanager
async def echo_responder(url: str, subject: str) -> AsyncIterator[str]:
    """Reply with the request body; a separate connection, as a real service would have."""

    async def echo(msg: Msg) -> None:
        await msg.respond(msg.data)

    async with nats_client(url, "bench-responder") as nc:
        sub = await nc.subscribe(subject, cb=echo)
        await nc.flush()  # the subscription must reach the server before the first request
        try:
            yield subject
        finally:
            await sub.unsubscribe()


@asynccontextmanager
async def temporary_stream(url: str, name: str) -> AsyncIterator[Stream]:
    """Create a stream on its own connection, so it can be deleted even if the benchmark's one broke."""
    stream = Stream(name=name.upper(), subject=f"bench.{name.lower()}", storage=JS_STORAGE.value)
    async with nats_client(url, "bench-admin") as nc:
        js = nc.jetstream()
        await js.add_stream(
            name=stream.name,
            subjects=[stream.subject],
            storage=JS_STORAGE,
            max_age=STREAM_MAX_AGE_S,
            duplicate_window=DUPLICATE_WINDOW_S,
        )
        try:
            yield stream
        finally:
            await js.delete_stream(stream.name)


@asynccontextmanager
async def pg_connection(url: str) -> AsyncIterator[psycopg.AsyncConnection[tuple[object, ...]]]:
    """A plain transactional connection, like the event store's."""
    conn = await psycopg.AsyncConnection.connect(url, connect_timeout=5)
    try:
        yield conn
    finally:
        await conn.close()


@asynccontextmanager
async def temporary_table(url: str, name: str, columns: str) -> AsyncIterator[str]:
    """A regular (logged) table: a TEMP table skips the WAL, so its commits would not cost a real fsync."""
    create = sql.SQL("CREATE TABLE {} ({})").format(sql.Identifier(name), sql.SQL(columns))
    drop = sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(name))
    async with pg_connection(url) as admin:
        await admin.execute(create)
        await admin.commit()
        try:
            yield name
        finally:
            # Why a lock timeout: a benchmark connection left mid-transaction must not hang the cleanup.
            await admin.execute("SET lock_timeout = '10s'")
            await admin.execute(drop)
            await admin.commit()

"""Queues drained: every durable consumer has nothing pending or unacknowledged, every relay and
outbox has published everything it recorded."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from time import monotonic

import httpx
import psycopg

from contracts.subjects import DURABLES
from plumbing.bus import Bus

_RELAY_LAG = re.compile(r'^atende_relay_lag_events\{app="([^"]*)"\} (\S+)$', re.MULTILINE)
# The relay measures its lag at most once a second: a zero must hold across a longer gap to be true.
CONFIRM_S = 2.5


async def backlog(bus: Bus, ops_ports: Mapping[str, int], databases: Mapping[str, str]) -> dict[str, int]:
    """What still waits, by queue: durables (pending + ack pending), relays (lag), outboxes (unpublished)."""
    waiting: dict[str, int] = {}
    for durable in DURABLES:
        info = await bus.js.consumer_info(durable.stream.name, durable.name)
        waiting[f"durable {durable.name}"] = int(info.num_pending or 0) + int(info.num_ack_pending or 0)
    async with httpx.AsyncClient(timeout=5) as client:
        for service, port in ops_ports.items():
            text = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
            for app, value in _RELAY_LAG.findall(text):
                waiting[f"relay {service}/{app}"] = int(float(value))
    for service, url in databases.items():
        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
            row = await (await conn.execute("SELECT to_regclass('outbox') IS NOT NULL")).fetchone()
            if row and row[0]:
                count = await (
                    await conn.execute("SELECT count(*) FROM outbox WHERE published_at IS NULL")
                ).fetchone()
                waiting[f"outbox {service}"] = int(count[0]) if count else 0
    return waiting


async def wait_drained(
    bus: Bus, ops_ports: Mapping[str, int], databases: Mapping[str, str], deadline_s: float
) -> tuple[float | None, dict[str, int]]:
    """Seconds until every queue was empty on two looks ``CONFIRM_S`` apart (None past the deadline),
    and the last look."""
    started = monotonic()
    empty_since: float | None = None
    while True:
        now = monotonic()
        waiting = await backlog(bus, ops_ports, databases)
        if any(waiting.values()):
            empty_since = None
        elif empty_since is None:
            empty_since = now
        elif now - empty_since >= CONFIRM_S:
            return round(empty_since - started, 2), waiting
        if now - started > deadline_s:
            return None, waiting
        await asyncio.sleep(0.5)

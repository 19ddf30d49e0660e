"""Recurring demands: grouped again in the background, and counted per period for whoever asks."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from psycopg_pool import AsyncConnectionPool

from contracts import Envelope, Message
from contracts.insights import Demand, DemandMember, DemandsV1, GetDemandsV1
from contracts.subjects import GET_DEMANDS_V1
from insights.adapters import demands, store
from insights.config import Settings
from insights.domain.periods import Period
from insights.grouping import OTHER, documents, fit, match
from plumbing.bus import Bus
from plumbing.errors import Invalid
from plumbing.logging import get_logger

log = get_logger(__name__)


def regroup(pool: AsyncConnectionPool, window_days: int) -> Callable[[], Awaitable[None]]:
    """A round of the background loop: group the window's tickets and chats, keeping demands' ids."""

    async def round_() -> None:
        now = datetime.now(UTC)
        async with pool.connection() as conn, conn.transaction():
            # One replica at a time; the others skip this round (the lock ends with the transaction).
            cursor = await conn.execute("SELECT pg_try_advisory_xact_lock(%s)", (demands.LOCK,))
            if not (await cursor.fetchone() or (False,))[0]:
                return
            since = now - timedelta(days=window_days)
            tickets = await store.tickets_between(conn, since, now)
            chats = await store.chats_between(conn, since, now)
            docs = documents(tickets, chats)
            grouping = await asyncio.to_thread(fit, docs)  # CPU-bound: seconds for 100,000 documents
            matching = match(await demands.known(conn), grouping.groups)
            groups = [
                (matching.kept.get(g.key) or uuid.uuid4().hex, g.key, g.terms, g.typical, g.members)
                for g in grouping.groups
                if g.key != OTHER
            ]
            await demands.replace(conn, groups, {d.key: d for d in docs}, now)
        log.info("insights.demands_grouped", documents=len(docs), demands=len(groups), new=len(matching.new))

    return round_


async def register(bus: Bus, pool: AsyncConnectionPool, settings: Settings) -> None:
    """Serve the demands query in the insights queue group."""
    zone = ZoneInfo(settings.timezone)

    async def asked(query: GetDemandsV1, envelope: Envelope) -> Message:
        try:
            period = Period.parse(query.period, zone)
        except ValueError:
            raise Invalid("invalid", errors=[{"field": "period", "reason": "period_invalid"}]) from None
        previous = period.previous()
        async with pool.connection() as conn:
            rows = await demands.counted(conn, period.start, period.end, previous.start, query.departments)
            computed_at = await demands.last_grouped(conn)
        return DemandsV1(
            period=period.label,
            previous_period=previous.label,
            computed_at=computed_at,
            demands=[
                Demand(
                    id=row["id"],
                    terms=row["terms"],
                    typical=row["typical"],
                    size=row["now"],
                    previous_size=row["before"],
                    tickets=row["tickets"],
                    chats=row["chats"],
                    members=[
                        DemandMember(kind=kind, id=id, number=number, title=title)
                        for kind, id, number, title in row["members"]
                    ],
                    name=row["name"],
                    merged_from=row["merged_from"],
                    development=row["development"],
                    decisions=row["decisions"],
                )
                for row in rows
            ],
        )

    await bus.serve("demands", GET_DEMANDS_V1, GetDemandsV1, asked)

"""Background loops: abandoning chats whose customer went away, and (optionally) auto-assignment.

Each round runs under a PostgreSQL advisory lock, so with several replicas one does the work and
the others skip the round; every change is also safe twice (the second finds the chat changed).
"""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from chat import changes
from chat.adapters.presence import Presence
from chat.changes import Outcome
from chat.domain.transitions import Refused
from chat.entrypoints.batching import Writer
from chat.views.queries import ChatQueries
from plumbing.logging import get_logger
from plumbing.worker import Loop

log = get_logger(__name__)


async def _locked(conn: AsyncConnection[Any], name: str) -> bool:
    """Take the round's lock for this transaction, if no other replica holds it."""
    cursor = await conn.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s))", (name,))
    row = await cursor.fetchone()
    return bool(row and row[0])


class Abandonment:
    """Queued or active chats whose customer was not seen for ``after_s`` become abandoned."""

    def __init__(
        self,
        writer: Writer,
        queries: ChatQueries,
        pool: AsyncConnectionPool,
        *,
        after_s: float,
        poll_s: float,
    ) -> None:
        self.writer = writer
        self.queries = queries
        self.pool = pool
        self.after_s = after_s
        self.worker = Loop("chat:abandon", self.round, poll_s=poll_s)

    async def round(self) -> int:
        """Abandon what is due now; returns how many chats this round abandoned."""
        async with self.pool.connection() as conn, conn.transaction():
            if not await _locked(conn, "atende.chat.abandon"):
                return 0  # another replica is at it
            quiet = await self.queries.quiet(self.after_s)
            outcomes = await asyncio.gather(
                *(self.writer.submit(changes.abandon(cid, last_seen)) for cid, last_seen in quiet),
                return_exceptions=True,
            )
        abandoned = sum(1 for outcome in outcomes if isinstance(outcome, Outcome) and outcome.value)
        if abandoned:
            log.info("chat.abandoned", count=abandoned)
        return abandoned


class AutoAssignment:
    """Gives each queued chat, oldest first, to the least-loaded online agent of its department with a free slot."""

    def __init__(
        self,
        writer: Writer,
        queries: ChatQueries,
        presence: Presence,
        pool: AsyncConnectionPool,
        *,
        poll_s: float,
    ) -> None:
        self.writer = writer
        self.queries = queries
        self.presence = presence
        self.pool = pool
        self.worker = Loop("chat:auto-assign", self.round, poll_s=poll_s)

    def nudge(self) -> None:
        """A chat was queued, a slot freed or an agent came online: look now."""
        self.worker.nudge()

    async def round(self) -> int:
        """Assign what can be assigned now; returns how many chats were given to an agent."""
        assigned = 0
        async with self.pool.connection() as conn, conn.transaction():
            if not await _locked(conn, "atende.chat.auto-assign"):
                return 0
            for department in await self.queries.queued_departments():
                agents = await self.presence.free_agents(department)
                load = {agent.agent_id: agent.active_chats for agent in agents}
                for waiting in await self.queries.queue([department]):
                    free = [a for a in agents if load[a.agent_id] < a.capacity]
                    if not free:
                        break
                    agent = min(free, key=lambda a: (load[a.agent_id], a.agent_id))
                    change = changes.accept(
                        UUID(waiting.conversation_id), agent.agent_id, agent.agent_name, auto=True
                    )
                    try:
                        await self.writer.submit(change)
                    except (Refused, LookupError):
                        continue  # accepted or ended meanwhile
                    load[agent.agent_id] += 1
                    assigned += 1
        return assigned

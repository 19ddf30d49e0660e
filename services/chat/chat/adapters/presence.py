"""Agents' presence and customers' heartbeats, in chat's PostgreSQL: shared by replicas, kept across restarts.

These tables are state, not read models: a rebuild of the views leaves them alone. Time is the
database's (``now()``), so replicas with skewed clocks still agree on who timed out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

_TABLES = """
CREATE TABLE IF NOT EXISTS chat_presence (
    agent_id text PRIMARY KEY,
    agent_name text NOT NULL,
    presence text NOT NULL,
    departments text[] NOT NULL,
    capacity integer NOT NULL,
    last_seen timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS chat_customer_seen (
    conversation_id uuid PRIMARY KEY,
    last_seen timestamptz NOT NULL
);
"""
ONLINE = "online"
DEFAULT_CAPACITY = 3
# Who is really online: said so, and heard from within the timeout (the gateway's heartbeat).
_FRESH = "presence = 'online' AND last_seen > now() - make_interval(secs => %(timeout)s)"
# (Unqualified on purpose: it reads chat_presence alone, or beside chat_conversations, which has neither column.)


@dataclass(frozen=True)
class AgentState:
    """An agent's presence as it counts now (timed out → offline), with their load."""

    agent_id: str
    agent_name: str
    presence: str
    departments: list[str]
    capacity: int
    active_chats: int

    @property
    def free(self) -> bool:
        """Online with room for one more chat."""
        return self.presence == ONLINE and self.active_chats < self.capacity


class Presence:
    """Agents' availability (online/away/offline, departments, capacity) and customers' last sighting."""

    def __init__(self, pool: AsyncConnectionPool, timeout_s: float = 90.0) -> None:
        self.pool = pool
        self.timeout_s = timeout_s

    async def create(self) -> None:
        """Create the tables, if missing (replicas starting together take turns)."""
        async with self.pool.connection() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext('atende.chat.presence.schema'))")
            await conn.execute(_TABLES)

    async def set(
        self, agent_id: str, agent_name: str, presence: str, departments: list[str], capacity: int
    ) -> AgentState:
        """Record (or refresh: it is the heartbeat too) an agent's presence; returns it with their load."""
        async with self.pool.connection() as conn:
            await conn.execute(
                "INSERT INTO chat_presence (agent_id, agent_name, presence, departments, capacity, last_seen) "
                "VALUES (%s, %s, %s, %s, %s, now()) ON CONFLICT (agent_id) DO UPDATE SET "
                "agent_name = excluded.agent_name, presence = excluded.presence, "
                "departments = excluded.departments, capacity = excluded.capacity, last_seen = now()",
                (agent_id, agent_name, presence, departments, capacity),
            )
        state = await self.get(agent_id)
        assert state is not None
        return state

    async def get(self, agent_id: str) -> AgentState | None:
        """An agent's presence now (offline once timed out), or None if never recorded."""
        rows = await self._agents("p.agent_id = %(agent)s", {"agent": agent_id})
        return rows[0] if rows else None

    async def anyone_online(self, department: str) -> bool:
        """Whether any agent of the department is online (presence online and not timed out)."""
        async with self.pool.connection() as conn, conn.cursor() as cursor:
            await cursor.execute(
                f"SELECT EXISTS (SELECT 1 FROM chat_presence WHERE {_FRESH} AND %(department)s = ANY(departments))",  # noqa: S608
                {"timeout": self.timeout_s, "department": department},
            )
            row = await cursor.fetchone()
        return bool(row and row[0])

    async def free_agents(self, department: str) -> list[AgentState]:
        """Online agents of the department with a free slot, least loaded first."""
        found = await self._agents(
            f"{_FRESH} AND %(department)s = ANY(p.departments)", {"department": department}
        )
        return sorted((a for a in found if a.free), key=lambda a: (a.active_chats, a.agent_id))

    async def touch(self, conversation_id: UUID) -> None:
        """The customer of this conversation is still there (their heartbeat)."""
        async with self.pool.connection() as conn:
            await conn.execute(
                "INSERT INTO chat_customer_seen (conversation_id, last_seen) VALUES (%s, now()) "
                "ON CONFLICT (conversation_id) DO UPDATE SET last_seen = now()",
                (conversation_id,),
            )

    async def _agents(self, where: str, params: dict[str, Any]) -> list[AgentState]:
        statement = (
            "SELECT p.agent_id, p.agent_name, p.departments, p.capacity, "  # noqa: S608 (constant fragments)
            "CASE WHEN p.last_seen <= now() - make_interval(secs => %(timeout)s) "
            "THEN 'offline' ELSE p.presence END AS presence, "
            "(SELECT count(*) FROM chat_conversations c WHERE c.status = 'active' AND c.agent_id = p.agent_id) "
            f"AS active_chats FROM chat_presence p WHERE {where}"
        )
        async with self.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cursor:
            await cursor.execute(statement, {"timeout": self.timeout_s} | params)
            rows = await cursor.fetchall()
        return [AgentState(**row) for row in rows]

"""The recurring demands read model: each group with a lasting id, and which ticket or chat is in which.

Grouping runs in the background over a window of recent tickets and chats and replaces both tables
at once; a page then only counts members by period and department in SQL, which stays fast however
many tickets there are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection
from psycopg.types.json import Jsonb

from insights.grouping import Document, Known

SCHEMA = """
CREATE TABLE IF NOT EXISTS demands (
    id text PRIMARY KEY,
    key text NOT NULL,
    terms jsonb NOT NULL,
    typical jsonb NOT NULL,
    computed_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS demand_members (
    subject_id text PRIMARY KEY,
    kind text NOT NULL,
    demand_id text NOT NULL,
    department text,
    at timestamptz NOT NULL,
    rank integer NOT NULL
);
CREATE INDEX IF NOT EXISTS demand_members_by_time ON demand_members (at, demand_id);
"""
# Recomputations take turns across replicas: the one that holds this lock works, the others skip.
LOCK = 0x1A5_DE3A


async def ensure_schema(conn: AsyncConnection[Any]) -> None:
    """Create the tables if missing."""
    await conn.execute(SCHEMA)


async def known(conn: AsyncConnection[Any]) -> list[Known]:
    """The stored groups as the last computation left them: id, terms and members."""
    members: dict[str, list[str]] = defaultdict(list)
    cursor = await conn.execute("SELECT demand_id, subject_id FROM demand_members")
    for demand_id, subject_id in await cursor.fetchall():
        members[demand_id].append(subject_id)
    cursor = await conn.execute("SELECT id, terms FROM demands")
    return [Known(id, terms, members.get(id, [])) for id, terms in await cursor.fetchall()]


async def replace(
    conn: AsyncConnection[Any],
    groups: Sequence[tuple[str, str, Sequence[str], Sequence[str], Sequence[str]]],
    documents: dict[str, Document],
    computed_at: datetime,
) -> None:
    """Swap in a computation: groups as (id, key, terms, typical, members most typical first)."""
    await conn.execute("TRUNCATE demands, demand_members")
    async with conn.cursor() as cursor:
        await cursor.executemany(
            "INSERT INTO demands (id, key, terms, typical, computed_at) VALUES (%s, %s, %s, %s, %s)",
            [
                (id, key, Jsonb(list(terms)), Jsonb(list(typical)), computed_at)
                for id, key, terms, typical, _ in groups
            ],
        )
        async with cursor.copy(
            "COPY demand_members (subject_id, kind, demand_id, department, at, rank) FROM STDIN"
        ) as copy:
            for id, _, _, _, members in groups:
                for rank, key in enumerate(members):
                    doc = documents[key]
                    await copy.write_row((key, doc.kind, id, doc.department, doc.at, rank))


async def counted(
    conn: AsyncConnection[Any],
    start: datetime,
    end: datetime,
    before: datetime,
    departments: Sequence[str] | None,
    examples: int = 10,
) -> list[dict[str, Any]]:
    """Each demand's size in [start, end) and in [before, start), by kind, with its most typical members."""
    cursor = await conn.execute(
        """
        WITH inside AS (
            SELECT m.* FROM demand_members m
            WHERE m.at >= %(before)s AND m.at < %(end)s
              AND (%(departments)s::text[] IS NULL OR m.department = ANY(%(departments)s::text[]))
        ), sized AS (
            SELECT demand_id,
                   count(*) FILTER (WHERE at >= %(start)s) AS now,
                   count(*) FILTER (WHERE at < %(start)s) AS before,
                   count(*) FILTER (WHERE at >= %(start)s AND kind = 'ticket') AS tickets,
                   count(*) FILTER (WHERE at >= %(start)s AND kind = 'chat') AS chats
            FROM inside GROUP BY demand_id
        ), shown AS (
            SELECT demand_id, jsonb_agg(jsonb_build_array(kind, subject_id) ORDER BY rank) AS members
            FROM (SELECT *, row_number() OVER (PARTITION BY demand_id ORDER BY rank) AS n
                  FROM inside WHERE at >= %(start)s) ranked
            WHERE n <= %(examples)s GROUP BY demand_id
        )
        SELECT d.id, d.terms, d.typical, s.now, s.before, s.tickets, s.chats,
               coalesce(w.members, '[]'::jsonb), d.computed_at
        FROM sized s JOIN demands d ON d.id = s.demand_id LEFT JOIN shown w ON w.demand_id = s.demand_id
        WHERE s.now > 0 OR s.before > 0
        ORDER BY s.now DESC, s.before DESC, d.id
        """,
        {
            "start": start,
            "end": end,
            "before": before,
            "departments": list(departments) if departments is not None else None,
            "examples": examples,
        },
    )
    names = ("id", "terms", "typical", "now", "before", "tickets", "chats", "members", "computed_at")
    return [dict(zip(names, row, strict=True)) for row in await cursor.fetchall()]

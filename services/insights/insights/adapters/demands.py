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

from insights.decisions import view as decisions
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
-- When grouping last ran, even when it found nothing to group (one row).
CREATE TABLE IF NOT EXISTS demand_grouping (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    computed_at timestamptz NOT NULL
);
"""
# Recomputations take turns across replicas: the one that holds this lock works, the others skip.
LOCK = 0x1A5_DE3A


async def ensure_schema(conn: AsyncConnection[Any]) -> None:
    """Create the tables if missing (the decisions' read model too: the page's query joins it)."""
    await conn.execute(SCHEMA)
    await conn.execute(decisions.SCHEMA)


async def existing(conn: AsyncConnection[Any], ids: Sequence[str]) -> set[str]:
    """Which of ``ids`` the last grouping knows."""
    cursor = await conn.execute("SELECT id FROM demands WHERE id = ANY(%s)", (list(ids),))
    return {id for (id,) in await cursor.fetchall()}


async def last_grouped(conn: AsyncConnection[Any]) -> datetime | None:
    """When grouping last ran (None: never yet)."""
    cursor = await conn.execute("SELECT computed_at FROM demand_grouping")
    row = await cursor.fetchone()
    return None if row is None else row[0]


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
    await conn.execute(
        "INSERT INTO demand_grouping (computed_at) VALUES (%s)"
        " ON CONFLICT (singleton) DO UPDATE SET computed_at = excluded.computed_at",
        (computed_at,),
    )
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
    """Each demand's size in [start, end) and in [before, start), by kind, with its most typical members.

    A demand agents merged into another counts in that one (if the grouping still knows it): counts and
    each demand's most typical members are folded into the target after the per-demand work, which
    stays as cheap as without merges. Only the shown members' titles are looked up.
    """
    async with conn.transaction():
        # The planner cannot tell the shown members are a few hundred: its estimate for their title
        # lookups crosses the JIT threshold, and compiling costs more than the whole query.
        await conn.execute("SET LOCAL jit = off")
        cursor = await conn.execute(
            _COUNTED,
            {
                "start": start,
                "end": end,
                "before": before,
                "departments": list(departments) if departments is not None else None,
                "examples": examples,
            },
        )
        rows = await cursor.fetchall()
    names = (*_COLUMNS, "name", "merged_from", "development", "decisions")
    return [dict(zip(names, row, strict=True)) for row in rows]


_COLUMNS = ("id", "terms", "typical", "now", "before", "tickets", "chats", "members", "computed_at")
_COUNTED = """
    WITH inside AS (
        SELECT m.* FROM demand_members m
        WHERE m.at >= %(before)s AND m.at < %(end)s
          AND (%(departments)s::text[] IS NULL OR m.department = ANY(%(departments)s::text[]))
    ), counts AS (
        SELECT demand_id,
               count(*) FILTER (WHERE at >= %(start)s) AS now,
               count(*) FILTER (WHERE at < %(start)s) AS before,
               count(*) FILTER (WHERE at >= %(start)s AND kind = 'ticket') AS tickets,
               count(*) FILTER (WHERE at >= %(start)s AND kind = 'chat') AS chats
        FROM inside GROUP BY demand_id
    ), folded AS (
        SELECT f.id, f.merged_into FROM demand_decisions f JOIN demands t ON t.id = f.merged_into
    ), sized AS (
        SELECT coalesce(f.merged_into, c.demand_id) AS demand_id, sum(c.now)::bigint AS now,
               sum(c.before)::bigint AS before, sum(c.tickets)::bigint AS tickets,
               sum(c.chats)::bigint AS chats
        FROM counts c LEFT JOIN folded f ON f.id = c.demand_id GROUP BY 1
    ), typical AS (
        SELECT *, row_number() OVER (PARTITION BY demand_id ORDER BY rank) AS n
        FROM inside WHERE at >= %(start)s
    ), candidates AS (
        SELECT coalesce(f.merged_into, t.demand_id) AS demand_id, t.kind, t.subject_id,
               row_number() OVER (PARTITION BY coalesce(f.merged_into, t.demand_id)
                                  ORDER BY t.rank, f.id IS NOT NULL, t.subject_id) AS n
        FROM typical t LEFT JOIN folded f ON f.id = t.demand_id WHERE t.n <= %(examples)s
    ), shown AS (
        SELECT r.demand_id,
               jsonb_agg(jsonb_build_array(r.kind, r.subject_id, t.number,
                                           left(coalesce(t.subject, c.question, ''), 120)) ORDER BY r.n)
                   AS members
        FROM (SELECT * FROM candidates WHERE n <= %(examples)s) r
        -- LIMIT 1 keeps these per-member index lookups: a plain join hashes every ticket and chat.
        LEFT JOIN LATERAL (SELECT t.number, t.subject FROM ticket_records t
                           WHERE r.kind = 'ticket' AND t.ticket_id = r.subject_id LIMIT 1) t ON true
        LEFT JOIN LATERAL (SELECT c.question FROM chat_records c
                           WHERE r.kind = 'chat' AND c.conversation_id = r.subject_id LIMIT 1) c ON true
        GROUP BY r.demand_id
    ), sources AS (
        SELECT merged_into, jsonb_agg(id ORDER BY id) AS ids FROM folded GROUP BY merged_into
    )
    SELECT d.id, d.terms, d.typical, s.now, s.before, s.tickets, s.chats,
           coalesce(w.members, '[]'::jsonb), d.computed_at, x.name, coalesce(o.ids, '[]'::jsonb),
           CASE WHEN x.development_note IS NOT NULL THEN jsonb_build_object(
               'note', x.development_note, 'by', x.development_by, 'at', x.development_at) END,
           coalesce(x.decisions, '[]'::jsonb)
    FROM sized s JOIN demands d ON d.id = s.demand_id LEFT JOIN shown w ON w.demand_id = s.demand_id
    LEFT JOIN demand_decisions x ON x.id = s.demand_id LEFT JOIN sources o ON o.merged_into = s.demand_id
    WHERE s.now > 0 OR s.before > 0
    ORDER BY s.now DESC, s.before DESC, d.id
"""

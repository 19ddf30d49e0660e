"""Reads of the chat read models: a conversation and its entries, queues, agents' chats, search."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from psycopg import sql
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from chat.domain.entries import entry_of
from chat.domain.waits import estimated_wait_s
from chat.views.projection import fold
from contracts.chat import ChatEntry, ConversationListV1, ConversationSummary
from contracts.chat_queries import DepartmentAvailability, SearchChatsV1
from plumbing.textsearch import TEXT_SEARCH

_SUMMARY = (
    "c.conversation_id::text AS conversation_id, c.status, c.department, c.customer_email, c.customer_name, "
    "c.question, c.agent_id, c.agent_name, c.requested_at, c.accepted_at, c.closed_at, c.last_seq, "
    "c.rating_score, c.rating_comment, c.rated_at"
)
# What folding the event store's tail onto a row needs beyond the summary (see ChatQueries._tail).
_CURRENT = "c.version, c.messages, c.queued_at, c.waited_s, c.customer_active_at, c.last_activity_at"
# A queued conversation's place: those queued in its department before it, itself included.
_POSITION = (
    "CASE WHEN c.status = 'queued' THEN (SELECT count(*) FROM chat_conversations q WHERE q.status = 'queued' "
    "AND q.department = c.department AND (q.queued_at, q.conversation_id) <= (c.queued_at, c.conversation_id)) "
    "END AS queue_position"
)
# Per department: recent time-to-accept (last 20 accepts of the past day), agents online, free
# slots (capacity minus active chats of each online agent), queue length.
_STATS = """
SELECT d.department,
    (SELECT avg(w.waited_s) FROM (SELECT waited_s FROM chat_conversations a
        WHERE a.department = d.department AND a.accepted_at > now() - interval '1 day'
        ORDER BY a.accepted_at DESC LIMIT 20) w) AS average_accept_s,
    count(p.agent_id) AS agents_online,
    coalesce(sum(greatest(0, p.capacity - (SELECT count(*) FROM chat_conversations b
        WHERE b.status = 'active' AND b.agent_id = p.agent_id))), 0) AS free_slots,
    (SELECT count(*) FROM chat_conversations q WHERE q.status = 'queued' AND q.department = d.department) AS queued
FROM unnest(%(departments)s::text[]) AS d(department)
LEFT JOIN chat_presence p ON p.presence = 'online' AND d.department = ANY(p.departments)
    AND p.last_seen > now() - make_interval(secs => %(timeout)s)
GROUP BY d.department
"""
Stats = dict[str, dict[str, Any]]


class ChatQueries:
    """Answers from the read models (and the presence table beside them) on the async pool."""

    def __init__(
        self,
        pool: AsyncConnectionPool,
        presence_timeout_s: float = 90.0,
        *,
        events_table: sql.Identifier | None = None,
        decode: Callable[[StoredEvent], Any] | None = None,
    ) -> None:
        self.pool = pool
        self.presence_timeout_s = presence_timeout_s
        self.decode = decode
        # The events a conversation's row does not include yet (messages are answered before the
        # views catch up): read from the event store and folded in, so a conversation is always current.
        self._tail = (
            None
            if events_table is None
            else sql.SQL(
                "SELECT originator_id, originator_version, topic, state FROM {events} "
                "WHERE originator_id = %s AND originator_version > %s ORDER BY originator_version"
            ).format(events=events_table)
        )

    async def conversation(
        self,
        conversation_id: UUID,
        after_seq: int = 0,
        *,
        entries: bool = True,
        attachment: str | None = None,
    ) -> tuple[ConversationSummary, list[ChatEntry]] | None:
        """The conversation now and its entries after ``after_seq``, in order; None if unknown.

        With ``attachment``, only the entry that shared that file: a download's check reads one
        entry, not the whole chat.
        """
        async with self.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cursor:
            await cursor.execute(
                f"SELECT {_SUMMARY}, {_CURRENT}, {_POSITION} FROM chat_conversations c "  # noqa: S608
                "WHERE c.conversation_id = %s",
                (conversation_id,),
            )
            row = await cursor.fetchone()
            if row is None:
                return None
            found: list[dict[str, Any]] = []
            if entries:
                await cursor.execute(
                    "SELECT seq, kind, author_kind, author_id, author_name, text, attachment_id, client_id, "
                    "agent_id, agent_name, department, at FROM chat_entries "
                    "WHERE conversation_id = %s AND seq > %s AND seq <= %s "
                    "AND (%s::text IS NULL OR attachment_id = %s) ORDER BY seq",
                    (
                        conversation_id,
                        after_seq,
                        row["last_seq"],
                        attachment,
                        attachment,
                    ),  # the rest: the tail
                )
                found = await cursor.fetchall()
            viewed = row["last_seq"]
            if self._tail is not None and self.decode is not None:
                await cursor.execute(self._tail, (conversation_id, row["version"]), prepare=True)
                for stored in await cursor.fetchall():
                    event = self.decode(StoredEvent(**stored | {"state": bytes(stored["state"])}))
                    fold(row, event)
                    entry = entry_of(event)
                    if entry is not None:
                        row["last_seq"] = max(row["last_seq"], entry.seq)
                        if (
                            entries
                            and entry.seq > max(after_seq, viewed)
                            and attachment in (None, entry.attachment_id)
                        ):
                            found.append(vars(entry))
                if row["status"] != "queued":
                    row["queue_position"] = None
            stats = await self._stats(cursor, [row["department"]]) if row["queue_position"] else {}
        return _summary(row, stats), [ChatEntry.model_validate(entry) for entry in found]

    async def queue(self, departments: list[str]) -> list[ConversationSummary]:
        """Queued conversations of these departments, oldest first, with positions and expected waits."""
        async with self.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cursor:
            await cursor.execute(
                f"SELECT {_SUMMARY}, row_number() OVER (PARTITION BY c.department "  # noqa: S608
                "ORDER BY c.queued_at, c.conversation_id) AS queue_position FROM chat_conversations c "
                "WHERE c.status = 'queued' AND c.department = ANY(%s) ORDER BY c.queued_at, c.conversation_id",
                (departments,),
            )
            rows = await cursor.fetchall()
            stats = await self._stats(cursor, sorted({row["department"] for row in rows})) if rows else {}
        return [_summary(row, stats) for row in rows]

    async def queued_departments(self) -> list[str]:
        """Departments with someone waiting."""
        rows = await self._fetch(
            "SELECT DISTINCT department FROM chat_conversations WHERE status = 'queued'", ()
        )
        return [row["department"] for row in rows]

    async def agent_chats(self, agent_id: str) -> list[ConversationSummary]:
        """The conversations an agent has open, oldest accepted first."""
        rows = await self._fetch(
            f"SELECT {_SUMMARY} FROM chat_conversations c WHERE c.status = 'active' AND c.agent_id = %s "  # noqa: S608
            "ORDER BY c.accepted_at, c.conversation_id",
            (agent_id,),
        )
        return [_summary(row, {}) for row in rows]

    async def search(self, query: SearchChatsV1) -> ConversationListV1:
        """Conversations by words of their transcript, departments and customer; newest first."""
        conditions: list[sql.Composable] = []
        params: dict[str, Any] = {"limit": query.limit, "offset": query.offset}
        if query.departments:
            conditions.append(sql.SQL("c.department = ANY(%(departments)s)"))
            params["departments"] = list(query.departments)
        if query.customer_email is not None:
            conditions.append(sql.SQL("c.customer_email = %(email)s"))
            params["email"] = query.customer_email
        if query.q and query.q.strip():
            conditions.append(
                sql.SQL(
                    "c.conversation_id IN (SELECT e.conversation_id FROM chat_entries e WHERE e.text IS NOT NULL "
                    "AND to_tsvector({config}, e.text) @@ websearch_to_tsquery({config}, %(q)s))"
                ).format(config=sql.Literal(TEXT_SEARCH))
            )
            params["q"] = query.q
        where = sql.SQL(" AND ").join(conditions) if conditions else sql.SQL("TRUE")
        statement = sql.SQL(
            "SELECT {summary}, count(*) OVER () AS total FROM chat_conversations c WHERE {where} "
            "ORDER BY c.requested_at DESC, c.conversation_id LIMIT %(limit)s OFFSET %(offset)s"
        ).format(summary=sql.SQL(_SUMMARY), where=where)
        rows = await self._fetch(statement, params)
        total = int(rows[0]["total"]) if rows else 0
        return ConversationListV1(conversations=[_summary(row, {}) for row in rows], total=total)

    async def availability(self, departments: list[str]) -> list[DepartmentAvailability]:
        """Whether each department can take a chat now, and the wait a newcomer should expect."""
        async with self.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cursor:
            stats = await self._stats(cursor, list(dict.fromkeys(departments)))
        return [
            DepartmentAvailability(
                department=department,
                agents_online=stats[department]["agents_online"],
                free_slots=stats[department]["free_slots"],
                queued=stats[department]["queued"],
                estimated_wait_s=_estimate(stats, department, stats[department]["queued"] + 1),
            )
            for department in dict.fromkeys(departments)
        ]

    async def active_chats(self, agent_id: str) -> int:
        """How many conversations the agent has open."""
        rows = await self._fetch(
            "SELECT count(*) AS n FROM chat_conversations WHERE status = 'active' AND agent_id = %s",
            (agent_id,),
        )
        return int(rows[0]["n"])

    async def quiet(self, older_than_s: float, limit: int = 200) -> list[tuple[UUID, datetime]]:
        """Queued or active conversations whose customer was last seen longer ago than ``older_than_s``."""
        rows = await self._fetch(
            "SELECT c.conversation_id, greatest(c.customer_active_at, s.last_seen) AS last_seen "
            "FROM chat_conversations c LEFT JOIN chat_customer_seen s USING (conversation_id) "
            "WHERE c.status IN ('queued', 'active') "
            "AND c.customer_active_at < now() - make_interval(secs => %(age)s) "
            "AND (s.last_seen IS NULL OR s.last_seen < now() - make_interval(secs => %(age)s)) "
            "ORDER BY c.customer_active_at LIMIT %(limit)s",
            {"age": older_than_s, "limit": limit},
        )
        return [(row["conversation_id"], row["last_seen"]) for row in rows]

    async def _stats(self, cursor: Any, departments: list[str]) -> Stats:
        await cursor.execute(_STATS, {"departments": departments, "timeout": self.presence_timeout_s})
        return {row["department"]: row for row in await cursor.fetchall()}

    async def _fetch(self, statement: Any, params: Any) -> list[dict[str, Any]]:
        async with self.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cursor:
            await cursor.execute(statement, params)
            return await cursor.fetchall()


def _estimate(stats: Stats, department: str, position: int) -> int:
    found = stats.get(department, {})
    average = found.get("average_accept_s")
    return estimated_wait_s(
        position, None if average is None else float(average), int(found.get("agents_online", 0))
    )


def _summary(row: dict[str, Any], stats: Stats) -> ConversationSummary:
    position = row.get("queue_position")
    if position:
        row = row | {"estimated_wait_s": _estimate(stats, row["department"], int(position))}
    if row.get("rated_at") is not None:
        rating = {"score": row["rating_score"], "comment": row["rating_comment"], "rated_at": row["rated_at"]}
        row = row | {"rating": rating}
    return ConversationSummary.model_validate(row)

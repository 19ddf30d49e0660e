"""Reads of the tickets read models: the customer's list, the agent inbox with counts, a history."""

from __future__ import annotations

import re
from typing import Any

from psycopg import sql
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from contracts.common import Channel
from contracts.ticket_queries import (
    DepartmentCount,
    HistoryEntry,
    ListCustomerTicketsV1,
    SearchInboxV1,
    StatusCount,
    TicketHistoryV1,
    TicketListV1,
    TicketSummary,
)
from plumbing.textsearch import TEXT_SEARCH

_NUMBER = re.compile(r"^\s*(#)?(\d{1,9})\s*$")
_COLUMNS = sql.SQL(
    "ticket_id::text, number, subject, status, channel, customer_email, customer_name, department, "
    "assignee, opened_at, replies, version, reopens, "
)
UNASSIGNED = "-"


class TicketQueries:
    """Answers from the read models; every query is one round trip on the async pool."""

    def __init__(self, pool: AsyncConnectionPool) -> None:
        self.pool = pool

    async def customer_list(self, query: ListCustomerTicketsV1) -> TicketListV1:
        """The customer's tickets, the last public activity first (internal work is not activity)."""
        where = sql.SQL("customer_email = %(email)s")
        if not query.email_verified:
            # Only what they opened here: an address not yet proven theirs shows nothing else.
            where = sql.SQL("customer_email = %(email)s AND channel = %(portal)s")
        statement = sql.SQL(
            "SELECT {columns} public_activity_at AS last_activity_at, count(*) OVER () AS total "
            "FROM ticket_summary WHERE {where} "
            "ORDER BY public_activity_at DESC, number DESC LIMIT %(limit)s OFFSET %(offset)s"
        ).format(columns=_COLUMNS, where=where)
        params = {
            "email": query.customer_email,
            "portal": Channel.PORTAL.value,
            "limit": query.limit,
            "offset": query.offset,
        }
        rows = await self._fetch(statement, params)
        return TicketListV1(tickets=[_summary(row) for row in rows], total=_total(rows))

    async def inbox(self, query: SearchInboxV1) -> TicketListV1:
        """A page of the inbox, plus counts by status and by department within the same scope."""
        scope, params = _scope(query)
        narrow = list(scope)
        if query.status:
            narrow.append(sql.SQL("status = ANY(%(status)s)"))
            params["status"] = [status.value for status in query.status]
        if query.department is not None:
            narrow.append(sql.SQL("department = %(department)s"))
            params["department"] = query.department
        params |= {"limit": query.limit, "offset": query.offset}
        # Bounded by departments alone, the counts are kept ones (ticket_counts): counting the scope
        # would read every ticket the departments ever had, on each inbox load.
        kept = query.assignee is None and not (query.text and query.text.strip())
        page = sql.SQL(
            "SELECT {columns} last_activity_at{total} FROM ticket_summary "
            "WHERE {where} ORDER BY last_activity_at DESC, number DESC LIMIT %(limit)s OFFSET %(offset)s"
        ).format(
            columns=_COLUMNS,
            total=sql.SQL("" if kept else ", count(*) OVER () AS total"),
            where=_all(narrow),
        )
        counts = (
            _kept_counts(query)
            if kept
            else sql.SQL(
                "SELECT status, department, count(*) AS count FROM ticket_summary WHERE {where} "
                "GROUP BY status, department"
            ).format(where=_all(scope))
        )
        async with self.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cursor:
            await cursor.execute(page, params)
            rows = await cursor.fetchall()
            await cursor.execute(counts, params)
            groups = await cursor.fetchall()
        if kept:
            total = sum(
                group["count"]
                for group in groups
                if (not query.status or group["status"] in params["status"])
                and (query.department is None or group["department"] == query.department)
            )
        else:
            total = _total(rows)
        by_status: dict[str, int] = {}
        by_department: dict[str | None, int] = {}
        for group in groups:
            by_status[group["status"]] = by_status.get(group["status"], 0) + group["count"]
            by_department[group["department"]] = by_department.get(group["department"], 0) + group["count"]
        return TicketListV1(
            tickets=[_summary(row) for row in rows],
            total=total,
            by_status=[StatusCount(status=s, count=n) for s, n in sorted(by_status.items())],
            by_department=[
                DepartmentCount(department=d, count=n)
                for d, n in sorted(by_department.items(), key=lambda item: item[0] or "")
            ],
        )

    async def history(
        self, ticket_id: str, include_internal: bool, attachment: str | None = None
    ) -> TicketHistoryV1 | None:
        """The ticket and its history in order; None when the views do not know it (yet).

        With ``attachment``, only the entries that carry that file: a download's check reads those,
        not every message of the ticket.
        """
        async with self.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cursor:
            await cursor.execute(
                sql.SQL("SELECT {columns} {activity} FROM ticket_summary WHERE ticket_id = %s").format(
                    columns=_COLUMNS,
                    activity=sql.SQL(
                        "last_activity_at" if include_internal else "public_activity_at AS last_activity_at"
                    ),
                ),
                (ticket_id,),
            )
            ticket = await cursor.fetchone()
            if ticket is None:
                return None
            await cursor.execute(
                "SELECT version, kind, internal, actor_kind, actor, at, channel, body, attachment_ids, "
                "previous_status, status, assignee, CASE WHEN %s THEN threaded_by END AS threaded_by, "
                "refused_attachments, score FROM ticket_history WHERE ticket_id = %s AND (%s OR NOT internal) "
                "AND (%s::text IS NULL OR %s = ANY(attachment_ids)) ORDER BY version",
                (include_internal, ticket_id, include_internal, attachment, attachment),
            )
            entries = await cursor.fetchall()
        return TicketHistoryV1(
            ticket=_summary(ticket), entries=[HistoryEntry.model_validate(entry) for entry in entries]
        )

    async def _fetch(self, statement: sql.Composed, params: dict[str, Any]) -> list[dict[str, Any]]:
        async with self.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cursor:
            await cursor.execute(statement, params)
            return await cursor.fetchall()


def _scope(query: SearchInboxV1) -> tuple[list[sql.Composable], dict[str, Any]]:
    """The conditions that bound what an agent may see and asked to search (counts share them)."""
    conditions: list[sql.Composable] = []
    params: dict[str, Any] = {}
    if query.departments is not None:
        visible = "department = ANY(%(departments)s)"
        if query.include_unrouted:
            visible = f"({visible} OR department IS NULL)"
        conditions.append(sql.SQL(visible))
        params["departments"] = list(query.departments)
    elif not query.include_unrouted:
        conditions.append(sql.SQL("department IS NOT NULL"))
    if query.assignee == UNASSIGNED:
        conditions.append(sql.SQL("assignee IS NULL"))
    elif query.assignee is not None:
        conditions.append(sql.SQL("assignee = %(assignee)s"))
        params["assignee"] = query.assignee
    if query.text and query.text.strip():
        # Subjects and every message (notes too: this is the agents' search).
        text = sql.SQL(
            "(to_tsvector({config}, subject) @@ websearch_to_tsquery({config}, %(text)s) "
            "OR ticket_id IN (SELECT ticket_id FROM ticket_history WHERE body IS NOT NULL "
            "AND to_tsvector({config}, body) @@ websearch_to_tsquery({config}, %(text)s)))"
        ).format(config=sql.Literal(TEXT_SEARCH))
        if number := _NUMBER.match(query.text):
            params["number"] = int(number.group(2))
            if number.group(1):  # "#1042": that ticket
                conditions.append(sql.SQL("number = %(number)s"))
            else:  # "1042": that ticket, or the ones that mention it (an invoice, an order number)
                conditions.append(sql.SQL("(number = %(number)s OR {text})").format(text=text))
                params["text"] = query.text
        else:
            conditions.append(text)
            params["text"] = query.text
    return conditions, params


def _kept_counts(query: SearchInboxV1) -> sql.Composed:
    """Counts by status and department from ticket_counts, within the departments the agent sees."""
    if query.departments is not None:
        visible = sql.SQL(
            "(department = ANY(%(departments)s) OR department = '')"
            if query.include_unrouted
            else "department = ANY(%(departments)s)"
        )
    else:
        visible = sql.SQL("TRUE" if query.include_unrouted else "department <> ''")
    return sql.SQL(
        "SELECT status, NULLIF(department, '') AS department, count FROM ticket_counts "
        "WHERE count > 0 AND {visible}"
    ).format(visible=visible)


def _all(conditions: list[sql.Composable]) -> sql.Composable:
    return sql.SQL(" AND ").join(conditions) if conditions else sql.SQL("TRUE")


def _total(rows: list[dict[str, Any]]) -> int:
    return int(rows[0]["total"]) if rows else 0


def _summary(row: dict[str, Any]) -> TicketSummary:
    return TicketSummary.model_validate(row)

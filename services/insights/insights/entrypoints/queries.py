"""Request-reply over NATS: the service figures of a period, as tables."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from psycopg_pool import AsyncConnectionPool

from contracts import Envelope, Message
from contracts.insights import FiguresV1, FigureTable, GetFiguresV1
from contracts.subjects import GET_FIGURES_V1
from insights.adapters import store
from insights.config import Settings
from insights.domain.calendar import Calendar
from insights.domain.periods import Period
from insights.domain.records import ChatRecord, TicketRecord
from insights.figures import (
    ChatFigures,
    StatusTime,
    TicketFigures,
    chat_figures,
    csv_rows,
    status_times,
    ticket_figures,
)
from plumbing.bus import Bus
from plumbing.errors import Invalid


async def register(bus: Bus, pool: AsyncConnectionPool, settings: Settings) -> None:
    """Serve the insights queries in the insights queue group."""
    zone = ZoneInfo(settings.timezone)
    calendar = Calendar.parse(settings.business_hours or None, settings.holidays or None, zone)

    async def figures(query: GetFiguresV1, envelope: Envelope) -> Message:
        try:
            period = Period.parse(query.period, zone)
        except ValueError:
            raise Invalid("invalid", errors=[{"field": "period", "reason": "period_invalid"}]) from None
        async with pool.connection() as conn:
            tickets = await store.tickets_between(conn, period.start, period.end)
            chats = await store.chats_between(conn, period.start, period.end)
        tickets, chats = _within(tickets, chats, query.departments)
        key = {"agent": "agent", "department": "department", "overall": "scope"}[query.by]
        tables = [
            _table("tickets", TicketFigures, ticket_figures(tickets, period, query.by, calendar), key),
            _table("status_times", StatusTime, status_times(tickets, period, query.by, calendar), key),
            _table("chats", ChatFigures, chat_figures(chats, tickets, period, query.by), key),
        ]
        return FiguresV1(
            period=period.label,
            starts_at=period.start,
            ends_at=period.end,
            previous_period=period.previous().label,
            tables=tables,
        )

    await bus.serve("figures", GET_FIGURES_V1, GetFiguresV1, figures)


def _within(
    tickets: Sequence[TicketRecord], chats: Sequence[ChatRecord], departments: Sequence[str] | None
) -> tuple[list[TicketRecord], list[ChatRecord]]:
    """Only what the asker may see: their departments' tickets and chats (None: everything)."""
    if departments is None:
        return list(tickets), list(chats)
    allowed = set(departments)
    return [t for t in tickets if t.department in allowed], [c for c in chats if c.department in allowed]


def _table(name: str, row: type[Any], rows: Iterable[Any], key: str) -> FigureTable:
    columns, cells = csv_rows(row, rows, key=key)
    return FigureTable(name=name, columns=columns, rows=cells)

"""Request-reply over NATS: the service figures of a period, as tables, and the customers' comments."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

from psycopg_pool import AsyncConnectionPool

from contracts import Envelope, Message
from contracts.insights import (
    FiguresV1,
    FigureTable,
    GetFiguresV1,
    GetRatingCommentsV1,
    RatingComment,
    RatingCommentsV1,
)
from contracts.subjects import GET_FIGURES_V1, GET_RATING_COMMENTS_V1
from insights.adapters import store
from insights.config import Settings
from insights.domain.calendar import Calendar
from insights.domain.periods import Period
from insights.figures import (
    ChatFigures,
    SatisfactionRow,
    StatusTime,
    TicketFigures,
    chat_figures,
    comments,
    csv_rows,
    satisfaction_rows,
    status_times,
    ticket_figures,
)
from plumbing.bus import Bus
from plumbing.errors import Invalid

# The comments an answer lists at most (the newest).
MAX_COMMENTS = 200


class _InDepartment(Protocol):
    @property
    def department(self) -> str | None: ...


T = TypeVar("T", bound=_InDepartment)


async def register(bus: Bus, pool: AsyncConnectionPool, settings: Settings) -> None:
    """Serve the insights queries in the insights queue group."""
    zone = ZoneInfo(settings.timezone)
    calendar = Calendar.parse(settings.business_hours or None, settings.holidays or None, zone)

    async def figures(query: GetFiguresV1, envelope: Envelope) -> Message:
        period = _period(query.period, zone)
        async with pool.connection() as conn:
            tickets = _within(await store.tickets_between(conn, period.start, period.end), query.departments)
            chats = _within(await store.chats_between(conn, period.start, period.end), query.departments)
            ratings = _within(await store.ratings_between(conn, period.start, period.end), query.departments)
        key = {"agent": "agent", "department": "department", "overall": "scope"}[query.by]
        tables = [
            _table("tickets", TicketFigures, ticket_figures(tickets, period, query.by, calendar), key),
            _table("status_times", StatusTime, status_times(tickets, period, query.by, calendar), key),
            _table("chats", ChatFigures, chat_figures(chats, tickets, period, query.by), key),
            _table("satisfaction", SatisfactionRow, satisfaction_rows(ratings, period, query.by), key),
        ]
        return FiguresV1(
            period=period.label,
            starts_at=period.start,
            ends_at=period.end,
            previous_period=period.previous().label,
            tables=tables,
        )

    async def rating_comments(query: GetRatingCommentsV1, envelope: Envelope) -> Message:
        period = _period(query.period, zone)
        async with pool.connection() as conn:
            ratings = _within(await store.ratings_between(conn, period.start, period.end), query.departments)
        return RatingCommentsV1(
            period=period.label,
            comments=[
                RatingComment(
                    kind=rating.kind,
                    id=rating.subject_id,
                    number=rating.number,
                    department=rating.department,
                    agent_id=rating.agent_id,
                    score=rating.score,
                    comment=rating.comment,
                    rated_at=rating.rated_at,
                )
                for rating in comments(ratings, period, kind=query.kind)[:MAX_COMMENTS]
            ],
        )

    await bus.serve("figures", GET_FIGURES_V1, GetFiguresV1, figures)
    await bus.serve("comments", GET_RATING_COMMENTS_V1, GetRatingCommentsV1, rating_comments)


def _period(label: str, zone: ZoneInfo) -> Period:
    try:
        return Period.parse(label, zone)
    except ValueError:
        raise Invalid("invalid", errors=[{"field": "period", "reason": "period_invalid"}]) from None


def _within(records: Sequence[T], departments: Sequence[str] | None) -> list[T]:
    """Only what the asker may see: their departments' records (None: everything)."""
    if departments is None:
        return list(records)
    allowed = set(departments)
    return [record for record in records if record.department in allowed]


def _table(name: str, row: type[Any], rows: Iterable[Any], key: str) -> FigureTable:
    columns, cells = csv_rows(row, rows, key=key)
    return FigureTable(name=name, columns=columns, rows=cells)

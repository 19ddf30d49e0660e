"""Periods the figures are read over: a day, an ISO week, a month or a custom range of local days."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

PeriodKind = Literal["day", "week", "month", "custom"]

DEFAULT_ZONE = ZoneInfo("America/Sao_Paulo")

_ONE_DAY = timedelta(days=1)
_WEEK = re.compile(r"(\d{4})-W(\d{2})")
_MONTH = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True)
class Period:
    """The local days ``first``…``last`` (inclusive) in ``zone``: the instants [start, end) between midnights.

    Records belong to it by when they began (a ticket's opened_at, a chat's requested_at). ``holds``
    compares instants, so aware datetimes in any zone work; ``start`` and ``end`` are in ``zone``.
    """

    kind: PeriodKind
    first: date
    last: date
    zone: ZoneInfo = DEFAULT_ZONE
    start: datetime = field(init=False, compare=False, repr=False)
    end: datetime = field(init=False, compare=False, repr=False)
    start_ts: float = field(init=False, compare=False, repr=False)
    end_ts: float = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"a period ends on or after its first day: {self.first} > {self.last}")
        start, end = _midnight(self.first, self.zone), _midnight(self.last + _ONE_DAY, self.zone)
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        object.__setattr__(self, "start_ts", start.timestamp())
        object.__setattr__(self, "end_ts", end.timestamp())

    @classmethod
    def day(cls, day: date, zone: ZoneInfo = DEFAULT_ZONE) -> Period:
        """The one local day ``day``."""
        return cls("day", day, day, zone)

    @classmethod
    def week(cls, day: date, zone: ZoneInfo = DEFAULT_ZONE) -> Period:
        """The ISO week (Monday to Sunday) holding ``day``."""
        monday = day - timedelta(days=day.weekday())
        return cls("week", monday, monday + timedelta(days=6), zone)

    @classmethod
    def month(cls, day: date, zone: ZoneInfo = DEFAULT_ZONE) -> Period:
        """The calendar month holding ``day``."""
        first = day.replace(day=1)
        return cls("month", first, _next_month(first) - _ONE_DAY, zone)

    @classmethod
    def custom(cls, first: date, last: date, zone: ZoneInfo = DEFAULT_ZONE) -> Period:
        """The local days ``first`` to ``last``, both included."""
        return cls("custom", first, last, zone)

    @classmethod
    def of(
        cls, kind: Literal["day", "week", "month"], moment: datetime, zone: ZoneInfo = DEFAULT_ZONE
    ) -> Period:
        """The day, week or month (in ``zone``) that holds the instant ``moment``."""
        local = moment.astimezone(zone).date()
        return {"day": cls.day, "week": cls.week, "month": cls.month}[kind](local, zone)

    @classmethod
    def parse(cls, text: str, zone: ZoneInfo = DEFAULT_ZONE) -> Period:
        """Read a label: ``2026-03-05``, ``2026-W10``, ``2026-03`` or ``2026-03-01..2026-03-15``."""
        text = text.strip()
        try:
            if ".." in text:
                first, last = text.split("..", 1)
                return cls.custom(date.fromisoformat(first.strip()), date.fromisoformat(last.strip()), zone)
            if match := _WEEK.fullmatch(text):
                return cls.week(date.fromisocalendar(int(match[1]), int(match[2]), 1), zone)
            if match := _MONTH.fullmatch(text):
                return cls.month(date(int(match[1]), int(match[2]), 1), zone)
            return cls.day(date.fromisoformat(text), zone)
        except ValueError as exc:
            raise ValueError(f"not a period: {text!r} ({exc})") from exc

    @property
    def days(self) -> int:
        """How many local days it spans."""
        return (self.last - self.first).days + 1

    @property
    def label(self) -> str:
        """Its name, the one ``parse`` reads back."""
        if self.kind == "day":
            return self.first.isoformat()
        if self.kind == "week":
            year, week, _ = self.first.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "month":
            return self.first.strftime("%Y-%m")
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    def previous(self) -> Period:
        """The period just before: as many days (a month's is the calendar month before, 28 to 31 days)."""
        if self.kind == "month":
            return Period.month(self.first - _ONE_DAY, self.zone)
        last = self.first - _ONE_DAY
        return Period(self.kind, last - timedelta(days=self.days - 1), last, self.zone)

    def __contains__(self, moment: datetime) -> bool:
        return self.holds(moment)

    def holds(self, moment: datetime | None) -> bool:
        """Whether the instant falls in the period (None never does)."""
        return moment is not None and self.start_ts <= moment.timestamp() < self.end_ts


def wall_instant(day: date, seconds: int, zone: ZoneInfo) -> float:
    """The first instant (POSIX) that ``zone``'s clock reads ``seconds`` past ``day``'s midnight, or later.

    A time the clock repeats (going back) is its first occurrence; a time it skips (springing forward,
    as Brazil's once skipped midnight) is the moment of the jump.
    """
    wall = datetime.combine(day, time.min) + timedelta(seconds=seconds)
    first, second = wall.replace(tzinfo=zone).timestamp(), wall.replace(tzinfo=zone, fold=1).timestamp()
    if first <= second:
        return first
    # Skipped: fold 1 reads it with the offset after the jump, an instant whose clock is still short of
    # it; fold 0 with the offset before, one past it. Zones jump on whole seconds: bisect to the jump.
    short, past = second, first
    while past - short > 1:
        middle = (short + past) // 2
        if datetime.fromtimestamp(middle, zone).replace(tzinfo=None) >= wall:
            past = middle
        else:
            short = middle
    return past


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(wall_instant(day, 0, zone), zone)


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)

"""Business hours: the weekly opening hours of a support team, its time zone and its holidays."""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from insights.domain.periods import DEFAULT_ZONE, wall_instant

Stretch = tuple[int, int]  # open from, to: seconds after local midnight (24:00 is 86400)
DayHours = tuple[Stretch, ...]

DAY_S = 86_400
ALWAYS: tuple[DayHours, ...] = (((0, DAY_S),),) * 7

# Weekdays by their first three letters, English and Portuguese ("seg-sex", "sábado", "monday").
_DAYS = {
    **{name: number for number, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
    **{name: number for number, name in enumerate(("seg", "ter", "qua", "qui", "sex", "sáb", "dom"))},
    "sab": 5,
}
_CLOSED = {"closed", "fechado"}
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})")
_CLAUSE = re.compile(r"(?P<days>[^\d]+?)\s+(?P<hours>\d.*|[a-z]+)", re.IGNORECASE)


@dataclass(frozen=True)
class _Timeline:
    """Open time over whole local years as alternating opening and closing instants.

    Business seconds between two instants are the difference of two readings of ``open_until``.
    """

    years: tuple[int, int] | None = None  # the first and last year laid out
    start: float = math.inf  # the first year's first instant; with ``end``, what it covers
    end: float = -math.inf  # the instant after the last year
    edges: list[float] = field(default_factory=list)  # opens, closes, opens, closes, … in time order
    open_before: list[float] = field(init=False)  # open seconds from ``start`` to each edge

    def __post_init__(self) -> None:
        total, before = 0.0, []
        for index, edge in enumerate(self.edges):
            if index % 2:
                total += edge - self.edges[index - 1]
            before.append(total)
        object.__setattr__(self, "open_before", before)

    def open_until(self, instant: float) -> float:
        """Open seconds from ``start`` to the instant (which it covers)."""
        index = bisect_right(self.edges, instant) - 1
        if index < 0:
            return 0.0
        if index % 2:
            return self.open_before[index]
        return self.open_before[index] + instant - self.edges[index]


@dataclass(frozen=True)
class Calendar:
    """When support is open: each weekday's stretches (Monday first) in ``zone``, closed on ``holidays``.

    The default is open around the clock, where business time is plain elapsed time.
    """

    week: tuple[DayHours, ...] = ALWAYS
    holidays: frozenset[date] = frozenset()
    zone: ZoneInfo = DEFAULT_ZONE
    always_open: bool = field(init=False, compare=False, repr=False)
    """Open every second: business time is elapsed time."""
    # The open time laid out over whole years of days, grown when an instant falls outside it.
    _laid_out: _Timeline = field(default_factory=_Timeline, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise ValueError(f"business hours need seven weekdays, got {len(self.week)}")
        for hours in self.week:
            ends = [edge for stretch in hours for edge in stretch]
            if ends != sorted(ends) or any(not 0 <= a < b <= DAY_S for a, b in hours):
                raise ValueError(f"a day's hours must be ordered stretches within the day: {hours}")
        object.__setattr__(self, "always_open", self.week == ALWAYS and not self.holidays)

    @classmethod
    def parse(cls, hours: str | None, holidays: str | None = None, zone: ZoneInfo = DEFAULT_ZONE) -> Calendar:
        """Read ``"mon-fri 08:00-18:00; sat 08:00-12:00"`` and ``"2026-12-25,2027-01-01"``.

        Days are English or Portuguese (``seg-sex``), listed (``mon,wed``) or ranged (``fri-mon`` wraps);
        a day may have several stretches (``08:00-12:00,13:00-18:00``) or be ``closed``; a later clause
        replaces what an earlier one said of its days; days never named are closed. No hours (None or
        blank) means open around the clock.
        """
        week = ALWAYS if not hours or not hours.strip() else _read_week(hours)
        return cls(week, _read_holidays(holidays or ""), zone)

    def business_seconds(self, start: datetime, end: datetime) -> float:
        """The open seconds between two instants (0 when ``end`` is not after ``start``).

        Exact across days, holidays and clock changes: a stretch opens the first moment the day's
        local clock reads its opening time and closes the first moment it reads its closing time.
        """
        return self.seconds_between(start.timestamp(), end.timestamp())

    def seconds_between(self, begin: float, finish: float) -> float:
        """``business_seconds`` of two POSIX timestamps."""
        if finish <= begin:
            return 0.0
        if self.always_open:
            return finish - begin
        timeline = self._laid_out
        if not (timeline.start <= begin and finish < timeline.end):
            timeline = self._lay_out(begin, finish)
        return timeline.open_until(finish) - timeline.open_until(begin)

    def _lay_out(self, begin: float, finish: float) -> _Timeline:
        years = [datetime.fromtimestamp(instant, self.zone).year for instant in (begin, finish)]
        years += self._laid_out.years or ()
        first, after = date(min(years), 1, 1), date(max(years) + 1, 1, 1)
        days = (first + timedelta(days=n) for n in range((after - first).days))
        timeline = _Timeline(
            (first.year, after.year - 1),
            wall_instant(first, 0, self.zone),
            wall_instant(after, 0, self.zone),
            [instant for day in days for stretch in self._open_instants(day) for instant in stretch],
        )
        object.__setattr__(self, "_laid_out", timeline)  # a whole new one: readers never see half of it
        return timeline

    def _open_instants(self, day: date) -> tuple[tuple[float, float], ...]:
        if day in self.holidays:
            return ()
        return tuple(
            (wall_instant(day, opens, self.zone), wall_instant(day, closes, self.zone))
            for opens, closes in self.week[day.weekday()]
        )


def _read_week(text: str) -> tuple[DayHours, ...]:
    week: list[DayHours] = [()] * 7
    for clause in filter(None, (part.strip() for part in re.split(r"[;\n]", text))):
        try:
            match = _CLAUSE.fullmatch(clause)
            if not match:
                raise ValueError("write it as days then hours, like 'mon-fri 08:00-18:00'")
            hours = _read_hours(match["hours"])
            for day in _read_days(re.sub(r"\s+", "", match["days"].lower())):
                week[day] = hours
        except ValueError as exc:
            raise ValueError(f"business hours: cannot read {clause!r}: {exc}") from exc
    return tuple(week)


def _read_days(text: str) -> list[int]:
    days: list[int] = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        start = _weekday(first)
        stop = _weekday(last) if last else start
        days.extend((start + step) % 7 for step in range((stop - start) % 7 + 1))
    return days


def _weekday(name: str) -> int:
    key = name.strip()[:3]
    if key not in _DAYS:
        raise ValueError(f"unknown weekday {name!r}")
    return _DAYS[key]


def _read_hours(text: str) -> DayHours:
    if text.lower() in _CLOSED:
        return ()
    stretches: list[Stretch] = []
    for part in re.split(r"[,\s]+", text):
        opens, sep, closes = part.partition("-")
        if not sep:
            raise ValueError(f"{part!r} is not a stretch like 08:00-18:00")
        stretch = (_clock(opens), _clock(closes))
        if stretch[0] >= stretch[1]:
            raise ValueError(f"{part!r} closes before it opens (split a night across two days)")
        stretches.append(stretch)
    return _merged(stretches)


def _clock(text: str) -> int:
    match = _CLOCK.fullmatch(text.strip())
    if not match or int(match[2]) > 59 or int(match[1]) * 60 + int(match[2]) > 24 * 60:
        raise ValueError(f"{text!r} is not a time of day like 08:00 (00:00 to 24:00)")
    return (int(match[1]) * 60 + int(match[2])) * 60


def _merged(stretches: list[Stretch]) -> DayHours:
    merged: list[Stretch] = []
    for opens, closes in sorted(stretches):
        if merged and opens <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], closes))
        else:
            merged.append((opens, closes))
    return tuple(merged)


def _read_holidays(text: str) -> frozenset[date]:
    try:
        return frozenset(date.fromisoformat(part) for part in re.split(r"[,;\s]+", text.strip()) if part)
    except ValueError as exc:
        raise ValueError(f"holidays: {exc} (write them as 2026-12-25,2027-01-01)") from exc

"""Periods: their local bounds, labels, the period before, and which instants they hold."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from insights.domain.periods import DEFAULT_ZONE, Period, wall_instant

SP = ZoneInfo("America/Sao_Paulo")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_the_default_zone_is_sao_paulo() -> None:
    assert DEFAULT_ZONE is SP
    assert Period.day(date(2026, 3, 5)).zone is SP


@pytest.mark.parametrize(
    ("period", "kind", "first", "last", "start_utc", "end_utc"),
    [
        # São Paulo is UTC−3: local midnight is 03:00 UTC.
        (
            Period.day(date(2026, 3, 5)),
            "day",
            "2026-03-05",
            "2026-03-05",
            "2026-03-05 03:00",
            "2026-03-06 03:00",
        ),
        # 2026-03-05 is a Thursday: its ISO week runs Monday 2 to Sunday 8 March.
        (
            Period.week(date(2026, 3, 5)),
            "week",
            "2026-03-02",
            "2026-03-08",
            "2026-03-02 03:00",
            "2026-03-09 03:00",
        ),
        (
            Period.month(date(2026, 2, 14)),
            "month",
            "2026-02-01",
            "2026-02-28",
            "2026-02-01 03:00",
            "2026-03-01 03:00",
        ),
        (
            Period.month(date(2026, 12, 31)),
            "month",
            "2026-12-01",
            "2026-12-31",
            "2026-12-01 03:00",
            "2027-01-01 03:00",
        ),
        (
            Period.custom(date(2026, 3, 1), date(2026, 3, 15)),
            "custom",
            "2026-03-01",
            "2026-03-15",
            "2026-03-01 03:00",
            "2026-03-16 03:00",
        ),
    ],
)
def test_a_period_runs_from_local_midnight_to_the_midnight_after_its_last_day(
    period: Period, kind: str, first: str, last: str, start_utc: str, end_utc: str
) -> None:
    assert period.kind == kind
    assert (period.first, period.last) == (date.fromisoformat(first), date.fromisoformat(last))
    assert (period.start, period.end) == (utc(start_utc), utc(end_utc))
    assert (period.start_ts, period.end_ts) == (utc(start_utc).timestamp(), utc(end_utc).timestamp())
    assert period.start.tzinfo is SP


def test_a_period_holds_its_start_but_not_its_end() -> None:
    march = Period.month(date(2026, 3, 1))

    assert march.holds(utc("2026-03-01 03:00"))
    assert utc("2026-03-01 03:00") in march
    assert utc("2026-03-01 02:59:59") not in march  # still 28 February, 23:59:59 in São Paulo
    assert utc("2026-04-01 02:59:59") in march
    assert utc("2026-04-01 03:00") not in march
    assert datetime(2026, 3, 31, 23, 59, tzinfo=SP) in march
    assert not march.holds(None)


def test_the_period_of_an_instant_is_read_in_the_periods_zone() -> None:
    late_evening = utc("2026-04-01 02:00")  # 31 March, 23:00 in São Paulo

    assert Period.of("month", late_evening).label == "2026-03"
    assert Period.of("day", late_evening).label == "2026-03-31"
    assert Period.of("week", late_evening).label == "2026-W14"
    assert Period.of("day", late_evening, ZoneInfo("UTC")).label == "2026-04-01"


@pytest.mark.parametrize(
    ("label", "first", "last"),
    [
        ("2026-03-05", "2026-03-05", "2026-03-05"),
        ("2026-W10", "2026-03-02", "2026-03-08"),
        ("2026-W01", "2025-12-29", "2026-01-04"),  # ISO week 1 starts in the year before
        ("2026-03", "2026-03-01", "2026-03-31"),
        ("2026-03-01..2026-03-15", "2026-03-01", "2026-03-15"),
    ],
)
def test_labels_read_back_into_the_same_period(label: str, first: str, last: str) -> None:
    period = Period.parse(f"  {label} ")

    assert (period.first, period.last) == (date.fromisoformat(first), date.fromisoformat(last))
    assert period.label == label
    assert Period.parse(period.label) == period


@pytest.mark.parametrize(
    "label", ["", "2026-13", "2026-W54", "March", "2026-03-32", "2026-03-10..2026-03-01"]
)
def test_unreadable_labels_are_refused(label: str) -> None:
    with pytest.raises(ValueError, match="not a period"):
        Period.parse(label)


@pytest.mark.parametrize(
    ("label", "previous", "days"),
    [
        ("2026-03-01", "2026-02-28", 1),
        ("2026-W10", "2026-W09", 7),
        ("2026-W01", "2025-W52", 7),
        ("2026-03", "2026-02", 28),  # a month's previous is the calendar month before
        ("2026-02", "2026-01", 31),
        ("2026-01", "2025-12", 31),
        ("2026-03-01..2026-03-15", "2026-02-14..2026-02-28", 15),  # as many days, just before
    ],
)
def test_the_previous_period_ends_the_day_before_this_one_begins(
    label: str, previous: str, days: int
) -> None:
    period = Period.parse(label)
    before = period.previous()

    assert before.label == previous
    assert before.kind == period.kind
    assert before.days == days
    assert before.end == period.start


def test_a_day_that_skipped_midnight_begins_when_its_clock_did() -> None:
    # São Paulo's summer time began 2018-11-04: 00:00 became 01:00, so the day had 23 hours.
    day = Period.day(date(2018, 11, 4))

    assert (day.start.hour, day.start.utcoffset()) == (1, datetime(2018, 11, 4, 1, tzinfo=SP).utcoffset())
    assert day.start == utc("2018-11-04 03:00")
    assert day.end_ts - day.start_ts == 23 * 3600
    assert day.previous().end == day.start


def test_a_period_in_another_zone() -> None:
    day = Period.day(date(2026, 3, 5), ZoneInfo("Asia/Tokyo"))  # UTC+9

    assert day.start == utc("2026-03-04 15:00")
    assert day.previous().zone is day.zone


def test_a_period_cannot_end_before_it_begins() -> None:
    with pytest.raises(ValueError, match="ends on or after"):
        Period.custom(date(2026, 3, 2), date(2026, 3, 1))


@pytest.mark.parametrize(
    ("zone", "day", "clock", "instant_utc"),
    [
        (SP, "2026-03-05", "08:00", "2026-03-05 11:00"),  # an ordinary time
        (SP, "2018-11-04", "00:00", "2018-11-04 03:00"),  # skipped midnight: when the clock jumped to 01:00
        (SP, "2018-11-04", "00:30", "2018-11-04 03:00"),  # inside the skip: the jump too
        (SP, "2019-02-16", "23:30", "2019-02-17 01:30"),  # shown twice (24:00 went back to 23:00): the first
        (ZoneInfo("America/New_York"), "2026-03-08", "02:30", "2026-03-08 07:00"),  # the jump, 03:00 EDT
        (ZoneInfo("America/New_York"), "2026-11-01", "01:30", "2026-11-01 05:30"),  # the first, 01:30 EDT
        (ZoneInfo("America/New_York"), "2026-11-01", "24:00", "2026-11-02 05:00"),  # next midnight, EST
    ],
)
def test_wall_instant_is_the_first_moment_the_clock_reads_a_time(
    zone: ZoneInfo, day: str, clock: str, instant_utc: str
) -> None:
    hours, minutes = map(int, clock.split(":"))

    assert (
        wall_instant(date.fromisoformat(day), hours * 3600 + minutes * 60, zone)
        == utc(instant_utc).timestamp()
    )

"""Business hours: reading the setting and counting open seconds, checked against hand-counted hours."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from insights.domain.calendar import ALWAYS, Calendar

SP = ZoneInfo("America/Sao_Paulo")  # no summer time since 2019
NEW_YORK = ZoneInfo("America/New_York")
HOUR = 3600.0

# 2026-12-21 is a Monday; 2026-12-25 a Friday.
WEEKDAYS_AND_SATURDAY = "mon-fri 08:00-18:00; sat 08:00-12:00"


def at(text: str, zone: ZoneInfo = SP) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def hours_of(calendar: Calendar, start: str, end: str) -> float:
    return calendar.business_seconds(at(start, calendar.zone), at(end, calendar.zone)) / HOUR


# --- reading the setting ---


def test_weekdays_and_saturday_are_read_as_seconds_after_midnight() -> None:
    calendar = Calendar.parse(WEEKDAYS_AND_SATURDAY, "2026-12-25, 2027-01-01")

    ten_hours = ((8 * 3600, 18 * 3600),)
    assert calendar.week == (ten_hours,) * 5 + (((8 * 3600, 12 * 3600),), ())
    assert calendar.holidays == {date(2026, 12, 25), date(2027, 1, 1)}
    assert calendar.zone is SP
    assert not calendar.always_open


def test_portuguese_names_lists_wrapping_ranges_and_several_stretches_a_day() -> None:
    calendar = Calendar.parse("seg,qua 08:00-12:00, 13:00-18:00;\nsábado 09:00-12:00; sex-dom 10:00-11:00")

    split_day = ((8 * 3600, 12 * 3600), (13 * 3600, 18 * 3600))
    one_hour = ((10 * 3600, 11 * 3600),)
    # A later clause replaces what an earlier one said: "sex-dom" overrides Saturday.
    assert calendar.week == (split_day, (), split_day, (), one_hour, one_hour, one_hour)


def test_overlapping_stretches_merge_and_closed_empties_a_day() -> None:
    calendar = Calendar.parse("Mon-Sun 08:00-12:00,11:00-14:00,14:00-15:30; sun closed; sat fechado")

    assert calendar.week == (((8 * 3600, 15 * 3600 + 1800),),) * 5 + ((), ())


def test_a_day_may_close_at_midnight() -> None:
    calendar = Calendar.parse("fri 22:00-24:00; sat 00:00-02:00")

    assert hours_of(calendar, "2026-12-18 21:00", "2026-12-19 12:00") == 4.0


@pytest.mark.parametrize("hours", [None, "", "   "])
def test_no_hours_is_open_around_the_clock(hours: str | None) -> None:
    calendar = Calendar.parse(hours)

    assert calendar.week == ALWAYS
    assert calendar.always_open
    assert hours_of(calendar, "2026-12-18 21:00", "2026-12-21 09:30") == 60.5


def test_around_the_clock_still_closes_on_holidays() -> None:
    calendar = Calendar.parse(None, "2026-12-25")

    assert not calendar.always_open
    # Thursday 20:00 → Saturday 02:00: 4 hours on Thursday, Christmas closed, 2 hours on Saturday.
    assert hours_of(calendar, "2026-12-24 20:00", "2026-12-26 02:00") == 6.0


@pytest.mark.parametrize(
    ("hours", "holidays", "complaint"),
    [
        ("mon-fri", None, "days then hours"),
        ("xyz 08:00-09:00", None, "unknown weekday 'xyz'"),
        ("mon-xyz 08:00-09:00", None, "unknown weekday"),
        ("mon 18:00-08:00", None, "closes before it opens"),
        ("mon 08:00-08:00", None, "closes before it opens"),
        ("mon 08:00-25:00", None, "'25:00' is not a time of day"),
        ("mon 24:30-24:45", None, "not a time of day"),
        ("mon 08:60-09:00", None, "not a time of day"),
        ("mon 8am-5pm", None, "not a time of day"),
        ("mon 08:00", None, "not a stretch"),
        ("mon open", None, "not a stretch"),
        ("mon-fri 08:00-18:00", "2026-13-01", "holidays"),
        ("mon-fri 08:00-18:00", "25/12/2026", "holidays"),
    ],
)
def test_unreadable_settings_say_what_is_wrong(hours: str, holidays: str | None, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        Calendar.parse(hours, holidays)


def test_a_calendar_needs_seven_days_of_ordered_stretches() -> None:
    with pytest.raises(ValueError, match="seven weekdays"):
        Calendar(week=ALWAYS[:6])
    with pytest.raises(ValueError, match="ordered stretches"):
        Calendar(week=(((13 * 3600, 18 * 3600), (8 * 3600, 12 * 3600)), *ALWAYS[1:]))
    with pytest.raises(ValueError, match="ordered stretches"):
        Calendar(week=(((0, 90_000),), *ALWAYS[1:]))


# --- counting open seconds: mon-fri 08:00-18:00, sat 08:00-12:00, in São Paulo ---

BUSINESS = Calendar.parse(WEEKDAYS_AND_SATURDAY, "2026-12-25")


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        ("2026-12-21 09:00", "2026-12-21 17:00", 8.0),  # inside one day
        ("2026-12-21 06:00", "2026-12-21 20:00", 10.0),  # from before opening to after closing
        ("2026-12-21 19:00", "2026-12-22 07:00", 0.0),  # overnight, all closed
        ("2026-12-21 17:00", "2026-12-22 09:00", 2.0),  # 1 h Monday + 1 h Tuesday
        ("2026-12-18 17:00", "2026-12-21 09:00", 6.0),  # weekend: 1 h Fri + 4 h Sat + 0 Sun + 1 h Mon
        ("2026-12-19 13:00", "2026-12-20 23:00", 0.0),  # Saturday afternoon and Sunday: closed
        ("2026-12-24 17:00", "2026-12-28 09:00", 6.0),  # Christmas Friday: 1 h Thu + 0 + 4 h Sat + 1 h Mon
        ("2026-12-25 08:00", "2026-12-25 18:00", 0.0),  # the holiday itself
        ("2026-12-14 08:00", "2026-12-21 08:00", 54.0),  # a week: 5 × 10 h + 4 h
        ("2026-12-21 08:00", "2026-12-28 08:00", 44.0),  # Christmas week: 4 × 10 h + 4 h
        ("2026-11-30 08:00", "2026-12-28 08:00", 206.0),  # four weeks, one with Christmas: 4 × 54 − 10
        ("2026-12-21 12:00", "2026-12-21 12:00", 0.0),  # no time
        ("2026-12-21 17:00", "2026-12-21 09:00", 0.0),  # end before start
    ],
)
def test_business_hours_between_two_instants(start: str, end: str, hours: float) -> None:
    assert hours_of(BUSINESS, start, end) == hours


def test_seconds_are_exact_at_the_edges_of_a_stretch() -> None:
    assert BUSINESS.business_seconds(at("2026-12-21 17:59:30"), at("2026-12-22 08:00:45.5")) == 75.5
    assert BUSINESS.business_seconds(at("2026-12-21 07:59:59"), at("2026-12-21 08:00:01")) == 1.0


def test_instants_in_other_zones_are_read_on_the_calendars_clock() -> None:
    # 11:00 UTC is 08:00 in São Paulo (UTC−3), 23:00 UTC is 20:00 there.
    start = datetime(2026, 12, 21, 11, 0, tzinfo=UTC)
    end = datetime(2026, 12, 21, 23, 0, tzinfo=UTC)

    assert BUSINESS.business_seconds(start, end) == 10 * HOUR
    assert BUSINESS.seconds_between(start.timestamp(), end.timestamp()) == 10 * HOUR


def test_the_same_hours_in_another_zone_are_other_instants() -> None:
    lisbon = Calendar.parse(WEEKDAYS_AND_SATURDAY, zone=ZoneInfo("Europe/Lisbon"))  # UTC+0 in December

    # 08:00–11:00 São Paulo is 11:00–14:00 in Lisbon: only 11:00–14:00 overlaps Lisbon's day, 3 h.
    assert lisbon.business_seconds(at("2026-12-21 08:00"), at("2026-12-21 11:00")) == 3 * HOUR
    # 15:00–18:00 São Paulo is 18:00–21:00 in Lisbon, after closing there.
    assert lisbon.business_seconds(at("2026-12-21 15:00"), at("2026-12-21 18:00")) == 0.0


# --- clock changes ---

WHOLE_DAYS = Calendar.parse("mon-sun 00:00-24:00", "2000-01-01")  # not always_open: walks day by day


def test_sao_paulo_days_are_24_hours_now_that_it_keeps_no_summer_time() -> None:
    calendar = Calendar.parse("mon-sun 00:00-24:00", "2000-01-01", zone=SP)

    # The first Sunday of November began summer time until 2018; not in 2026.
    assert hours_of(calendar, "2026-11-01 00:00", "2026-11-02 00:00") == 24.0
    assert hours_of(calendar, "2026-10-31 12:00", "2026-11-01 12:00") == 24.0


def test_sao_paulo_summer_time_days_of_2018_and_2019_had_23_and_25_hours() -> None:
    # 2018-11-04 the clock jumped from 00:00 to 01:00; 2019-02-16 it went back from 24:00 to 23:00.
    assert hours_of(WHOLE_DAYS, "2018-11-04 01:00", "2018-11-05 00:00") == 23.0
    assert hours_of(WHOLE_DAYS, "2019-02-16 00:00", "2019-02-17 00:00") == 25.0


def test_opening_hours_follow_the_wall_clock_across_a_clock_change() -> None:
    # New York springs forward 2026-03-08 at 02:00 and falls back 2026-11-01 at 02:00 (both Sundays).
    calendar = Calendar.parse("sun 01:00-04:00, 08:00-18:00", zone=NEW_YORK)

    sunday_march = hours_of(calendar, "2026-03-08 00:00", "2026-03-09 00:00")
    sunday_november = hours_of(calendar, "2026-11-01 00:00", "2026-11-02 00:00")
    assert sunday_march == 2 + 10  # 01:00–04:00 lasted 2 hours
    assert sunday_november == 4 + 10  # and 4 hours
    # Around the clock, business time is elapsed time, so it has the 23-hour day too.
    always = Calendar(zone=NEW_YORK)
    assert hours_of(always, "2026-03-08 00:00", "2026-03-09 00:00") == 23.0


def test_elapsed_instants_across_a_change_in_the_same_zone_are_counted_as_instants() -> None:
    # Two datetimes sharing a tzinfo subtract as wall clocks in Python; business_seconds must not.
    start, end = at("2026-03-07 12:00", NEW_YORK), at("2026-03-08 12:00", NEW_YORK)
    assert (end - start).total_seconds() == 24 * HOUR  # the wall-clock difference
    assert Calendar().business_seconds(start, end) == 23 * HOUR


def test_a_stretch_opens_when_the_clock_first_reads_its_time() -> None:
    # Springing forward, 02:30 never shows: the stretch opens at the jump (03:00) and lasts 2 hours.
    spring = Calendar.parse("sun 02:30-05:00", zone=NEW_YORK)
    assert hours_of(spring, "2026-03-08 00:00", "2026-03-09 00:00") == 2.0
    # Falling back, 01:00–02:00 shows twice: a stretch ends at the first 01:30, or at the only 02:00.
    assert (
        hours_of(Calendar.parse("sun 01:00-01:30", zone=NEW_YORK), "2026-11-01 00:00", "2026-11-02 00:00")
        == 0.5
    )
    assert (
        hours_of(Calendar.parse("sun 01:30-02:00", zone=NEW_YORK), "2026-11-01 00:00", "2026-11-02 00:00")
        == 1.5
    )


def test_the_laid_out_years_grow_both_ways_and_give_the_same_answers() -> None:
    calendar = Calendar.parse(WEEKDAYS_AND_SATURDAY, "2026-12-25")
    fresh = Calendar.parse(WEEKDAYS_AND_SATURDAY, "2026-12-25")

    assert hours_of(calendar, "2026-12-21 09:00", "2026-12-21 17:00") == 8.0
    assert hours_of(calendar, "2018-01-01 00:00", "2018-01-08 00:00") == 54.0  # a year before: grows back
    assert hours_of(calendar, "2031-06-02 00:00", "2031-06-09 00:00") == 54.0  # and forward
    across = ("2025-12-29 00:00", "2027-01-04 00:00")  # 53 weeks and Christmas: 53 × 54 − 10
    assert hours_of(calendar, *across) == hours_of(fresh, *across) == 53 * 54 - 10


@pytest.mark.parametrize("zone", [SP, NEW_YORK])
def test_business_seconds_match_counting_minute_by_minute(zone: ZoneInfo) -> None:
    # Hours clear of 00:00–03:00, where clocks change, so a minute is open exactly when the local
    # clock shows an open time; New York's intervals cross its 2026 clock changes (8 March, 1 November).
    calendar = Calendar.parse(
        "mon-thu 08:00-12:00, 13:30-18:00; fri 09:15-17:45; sat 10:00-13:00", "2026-03-09,2026-11-02", zone
    )
    rng = random.Random(2026)
    for _ in range(25):
        start = at(rng.choice(["2026-03-06 00:00", "2026-10-30 00:00", "2026-07-01 00:00"]), zone)
        begin = start.timestamp() + 60 * rng.randrange(0, 2 * 1440)
        finish = begin + 60 * rng.randrange(0, 4 * 1440)

        counted = 60 * sum(_open_minute(calendar, minute) for minute in range(int(begin), int(finish), 60))

        assert calendar.seconds_between(begin, finish) == counted


def _open_minute(calendar: Calendar, instant: int) -> bool:
    local = datetime.fromtimestamp(instant, calendar.zone)
    clock = local.hour * 3600 + local.minute * 60
    return local.date() not in calendar.holidays and any(
        opens <= clock < closes for opens, closes in calendar.week[local.weekday()]
    )

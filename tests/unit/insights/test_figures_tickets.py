"""Ticket figures on a hand-built week of tickets, every value counted by hand below."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from insights.domain.calendar import Calendar
from insights.domain.periods import Period
from insights.domain.records import StatusSpan, TicketRecord
from insights.figures import Durations, StatusTime, TicketFigures, owner, status_times, ticket_figures
from insights.figures.stats import NO_DURATIONS, durations, mean, median, share
from insights.figures.tickets import is_open_at

SP = ZoneInfo("America/Sao_Paulo")
H = 3600.0
DAY = 24 * H
WEEK = Period.week(date(2026, 3, 2))  # Monday 2 to Sunday 8 March 2026, São Paulo


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SP)


def ticket(
    ticket_id: str,
    department: str | None,
    statuses: list[tuple[str, str]],
    *,
    responded: tuple[str, str] | None = None,
    assignee: str | None = None,
    channel: str = "portal",
) -> TicketRecord:
    """A ticket from its statuses, each with the time it began; finished_at is the last one's if finished."""
    starts = [at(start) for _, start in statuses]
    spans = tuple(
        StatusSpan(status, start, end)
        for (status, _), start, end in zip(statuses, starts, [*starts[1:], None], strict=True)
    )
    return TicketRecord(
        ticket_id=ticket_id,
        number=int(ticket_id[1:]),
        department=department,
        channel=channel,
        customer_email="cliente@example.com",
        subject="assunto",
        text="assunto",
        opened_at=starts[0],
        first_response_at=at(responded[1]) if responded else None,
        first_responder=responded[0] if responded else None,
        finished_at=spans[-1].start if spans[-1].status == "finished" else None,
        assignee=assignee,
        spans=spans,
    )


# The week, by hand (first response FR and resolution RES in elapsed hours):
# t1 Suporte   opened Mon 09:00, ana answers 10:00 (FR 1 h), finished Mon 13:00 (RES 4 h); assignee ana
# t2 Suporte   opened Mon 11:00, bia answers Tue 11:00 (FR 24 h), waits for the customer, finished Wed 11:00
#              (RES 48 h); assignee ana (so ana owns it, bia gets the first response)
# t3 Financeiro opened Tue 08:00, nobody answered, nobody assigned: unanswered, in the backlog
# t4 Financeiro opened Wed 14:00, caio answers 14:30 (FR 0.5 h), still in progress: backlog
# t5 Suporte   opened the week before (Fri 27 Feb 10:00), ana answers 11:00, finished Thu 10:00 (RES 144 h)
# t6 Suporte   opened the week after: in nothing
# t7 (none)    opened Thu 09:00, bia answers 10:00 (FR 1 h), finished Fri 09:00 and reopened the Monday
#              after: finished_at None now, and finished (not backlog) at the week's end
# t8 Suporte   opened Sun 20:00, unanswered, finished exactly at the week's end (Mon 9 00:00): backlog
#              of this week, finished in the next one
TICKETS = [
    ticket(
        "t1",
        "Suporte",
        [
            ("waiting", "2026-03-02 09:00"),
            ("in_progress", "2026-03-02 10:00"),
            ("finished", "2026-03-02 13:00"),
        ],
        responded=("ana", "2026-03-02 10:00"),
        assignee="ana",
    ),
    ticket(
        "t2",
        "Suporte",
        [
            ("waiting", "2026-03-02 11:00"),
            ("awaiting_customer", "2026-03-03 11:00"),
            ("finished", "2026-03-04 11:00"),
        ],
        responded=("bia", "2026-03-03 11:00"),
        assignee="ana",
    ),
    ticket("t3", "Financeiro", [("waiting", "2026-03-03 08:00")]),
    ticket(
        "t4",
        "Financeiro",
        [("waiting", "2026-03-04 14:00"), ("in_progress", "2026-03-04 14:30")],
        responded=("caio", "2026-03-04 14:30"),
        assignee="caio",
    ),
    ticket(
        "t5",
        "Suporte",
        [
            ("waiting", "2026-02-27 10:00"),
            ("awaiting_customer", "2026-02-27 11:00"),
            ("in_progress", "2026-03-02 09:00"),
            ("finished", "2026-03-05 10:00"),
        ],
        responded=("ana", "2026-02-27 11:00"),
        assignee="ana",
    ),
    ticket("t6", "Suporte", [("waiting", "2026-03-09 09:00")]),
    ticket(
        "t7",
        None,
        [
            ("waiting", "2026-03-05 09:00"),
            ("in_progress", "2026-03-05 10:00"),
            ("finished", "2026-03-06 09:00"),
            ("in_progress", "2026-03-09 10:00"),
        ],
        responded=("bia", "2026-03-05 10:00"),
        assignee="bia",
    ),
    ticket("t8", "Suporte", [("waiting", "2026-03-08 20:00"), ("finished", "2026-03-09 00:00")]),
]


# --- summaries ---


def test_median_and_p90_interpolate_like_percentile_cont() -> None:
    # Odd count: the middle value; p90 at rank 0.9 × 2 = 1.8 → 20 + 0.8 × (30 − 20) = 28.
    assert durations([30.0, 10.0, 20.0]) == Durations(3, 20.0, 28.0)
    # Even count: the mean of the middle two; p90 at rank 0.9 × 3 = 2.7 → 30 + 0.7 × 10 = 37.
    assert durations([40.0, 10.0, 30.0, 20.0]) == Durations(4, 25.0, pytest.approx(37.0))
    assert durations([7.0]) == Durations(1, 7.0, 7.0)
    assert durations([]) == NO_DURATIONS == Durations(0, None, None)
    assert median([1.0, 5.0]) == 3.0
    assert median([]) is None
    assert mean([1.0, 2.0]) == 1.5
    assert mean([]) is None
    assert share(1, 3) == pytest.approx(33.333, abs=0.001)
    assert share(0, 0) is None


# --- the week's figures ---


def test_overall_figures_of_the_week() -> None:
    (row,) = ticket_figures(TICKETS, WEEK)

    # Opened: t1 t2 t3 t4 t7 t8. Unanswered: t3 t8.
    # FR: t4 0.5 h, t1 1 h, t7 1 h, t2 24 h → median (1 + 1) / 2 = 1 h;
    #     p90 at rank 0.9 × 3 = 2.7: 1 + 0.7 × (24 − 1) = 17.1 h.
    # Finished: t1 t2 t5 (t7 was reopened; t8 at the end instant belongs to the next week).
    # RES: 4 h, 48 h, 144 h → median 48 h; p90 at rank 1.8: 48 + 0.8 × 96 = 124.8 h.
    # Backlog at Mon 9 00:00: t3 (waiting), t4 (in progress), t8 (still waiting at that instant).
    assert row == TicketFigures(
        key=None,
        opened=6,
        unanswered=2,
        first_response=Durations(4, 1 * H, pytest.approx(17.1 * H)),
        finished=3,
        resolution=Durations(3, 48 * H, pytest.approx(124.8 * H)),
        backlog=3,
    )


def test_figures_per_department_with_the_tickets_without_one_last() -> None:
    rows = ticket_figures(TICKETS, WEEK, by="department")

    assert [row.key for row in rows] == ["Financeiro", "Suporte", None]
    financeiro, suporte, none = rows
    assert financeiro == TicketFigures("Financeiro", 2, 1, Durations(1, 0.5 * H, 0.5 * H), 0, NO_DURATIONS, 2)
    # Suporte FR: t1 1 h, t2 24 h → median 12.5 h, p90 1 + 0.9 × 23 = 21.7 h; t5 was opened the week before.
    assert suporte == TicketFigures(
        "Suporte",
        opened=3,
        unanswered=1,
        first_response=Durations(2, 12.5 * H, pytest.approx(21.7 * H)),
        finished=3,
        resolution=Durations(3, 48 * H, pytest.approx(124.8 * H)),
        backlog=1,
    )
    assert none == TicketFigures(None, 1, 0, Durations(1, H, H), 0, NO_DURATIONS, 0)


def test_per_agent_the_first_response_is_the_responders_and_the_rest_the_owners() -> None:
    rows = {row.key: row for row in ticket_figures(TICKETS, WEEK, by="agent")}

    assert list(rows) == ["ana", "bia", "caio", None]
    # ana owns t1 t2 (opened) and t1 t2 t5 (finished); she answered t1 first (t5's answer was last week).
    assert rows["ana"] == TicketFigures(
        "ana", 2, 0, Durations(1, H, H), 3, Durations(3, 48 * H, pytest.approx(124.8 * H)), 0
    )
    # bia owns t7 and answered t2 (24 h) and t7 (1 h) first: median 12.5 h, p90 21.7 h.
    assert rows["bia"] == TicketFigures(
        "bia", 1, 0, Durations(2, 12.5 * H, pytest.approx(21.7 * H)), 0, NO_DURATIONS, 0
    )
    assert rows["caio"] == TicketFigures("caio", 1, 0, Durations(1, 0.5 * H, 0.5 * H), 0, NO_DURATIONS, 1)
    # Nobody owns t3 and t8: unanswered and waiting.
    assert rows[None] == TicketFigures(None, 2, 2, NO_DURATIONS, 0, NO_DURATIONS, 2)


def test_the_owner_is_the_assignee_else_the_first_responder() -> None:
    base = TICKETS[0]
    assert owner(base) == "ana"
    assert owner(replace(base, assignee=None, first_responder="bia")) == "bia"
    assert owner(replace(base, assignee=None, first_responder=None)) is None


def test_business_hours_count_only_open_time() -> None:
    # Mon–Fri 08:00–18:00, Wednesday 4 March a holiday.
    calendar = Calendar.parse("mon-fri 08:00-18:00", "2026-03-04")
    t2, t5 = TICKETS[1], TICKETS[4]

    (row,) = ticket_figures([t2, t5], WEEK, calendar=calendar)

    # t2 FR Mon 11:00 → Tue 11:00: 7 h + 3 h = 10 h (t5 was opened the week before).
    assert row.first_response == Durations(1, 10 * H, 10 * H)
    # t2 RES Mon 11:00 → Wed 11:00: 7 + 10 + 0 (holiday) = 17 h.
    # t5 RES Fri 27 Feb 10:00 → Thu 5 Mar 10:00: 8 (Fri) + 0 + 0 (weekend) + 10 + 10 + 0 (holiday) + 2 = 30 h.
    # Median (17 + 30) / 2 = 23.5 h; p90 17 + 0.9 × 13 = 28.7 h.
    assert row.resolution == Durations(2, 23.5 * H, pytest.approx(28.7 * H))


def test_backlog_reads_the_status_at_the_instant_from_the_spans() -> None:
    t1, _, t3, _, _, t6, t7, t8 = TICKETS
    end = WEEK.end_ts

    assert is_open_at(t3, end)
    assert not is_open_at(t1, end)  # finished
    assert not is_open_at(t6, end)  # not opened yet
    assert not is_open_at(t7, end)  # finished then, reopened later
    assert is_open_at(t8, end)  # finishes at that very instant: not yet
    assert is_open_at(t7, at("2026-03-09 11:00").timestamp())
    # Without spans, finished_at decides.
    assert is_open_at(replace(t1, spans=()), at("2026-03-02 12:00").timestamp())
    assert not is_open_at(replace(t1, spans=()), at("2026-03-02 14:00").timestamp())


def test_the_previous_period_has_its_own_figures() -> None:
    (row,) = ticket_figures(TICKETS, WEEK.previous())

    # Only t5 was opened in the week of 23 February; it was answered in 1 h and open at its end.
    assert row == TicketFigures(None, 1, 0, Durations(1, H, H), 0, NO_DURATIONS, 1)


# --- time in status ---


def test_time_in_status_of_the_tickets_finished_in_the_week() -> None:
    rows = status_times(TICKETS, WEEK)

    # Finished in the week: t1, t2, t5.
    #   t1 waiting 1 h, in progress 3 h
    #   t2 waiting 24 h, awaiting customer 24 h
    #   t5 waiting 1 h, awaiting customer Fri 11:00 → Mon 09:00 = 70 h,
    #      in progress Mon 09:00 → Thu 10:00 = 73 h
    assert rows == (
        StatusTime(None, "waiting", 3, 26 * H, 1 * H),
        StatusTime(None, "in_progress", 2, 76 * H, 38 * H),
        StatusTime(None, "awaiting_customer", 2, 94 * H, 47 * H),
    )
    # The parts add up to the resolution times: 4 + 48 + 144 = 196 h.
    assert sum(row.total_s for row in rows) == 196 * H


def test_time_in_status_per_agent_and_in_business_hours() -> None:
    calendar = Calendar.parse("mon-fri 08:00-18:00", "2026-03-04")

    rows = status_times(TICKETS, WEEK, by="agent", calendar=calendar)

    # All three belong to ana. Business hours (Wednesday a holiday):
    #   t1 waiting 1 h, in progress 3 h
    #   t2 waiting Mon 11:00 → Tue 11:00 = 7 + 3 = 10 h, awaiting Tue 11:00 → Wed 11:00 = 7 + 0 = 7 h
    #   t5 waiting 1 h, awaiting Fri 11:00 → Mon 09:00 = 7 + 1 = 8 h,
    #      in progress Mon 09:00 → Thu 10:00 = 9 + 10 + 0 + 2 = 21 h
    assert rows == (
        StatusTime("ana", "waiting", 3, 12 * H, 1 * H),
        StatusTime("ana", "in_progress", 2, 24 * H, 12 * H),
        StatusTime("ana", "awaiting_customer", 2, 15 * H, 7.5 * H),
    )


def test_time_between_a_finish_and_a_reopening_counts_as_finished() -> None:
    reopened = ticket(
        "t9",
        "Suporte",
        [
            ("waiting", "2026-03-02 08:00"),
            ("finished", "2026-03-02 09:00"),
            ("in_progress", "2026-03-02 15:00"),
            ("closed_by_robot", "2026-03-02 16:00"),
            ("finished", "2026-03-02 18:00"),
        ],
    )

    rows = status_times([reopened], WEEK, by="department")

    # Known statuses in guide order, an unknown one after them.
    assert rows == (
        StatusTime("Suporte", "waiting", 1, H, H),
        StatusTime("Suporte", "in_progress", 1, H, H),
        StatusTime("Suporte", "finished", 1, 6 * H, 6 * H),
        StatusTime("Suporte", "closed_by_robot", 1, 2 * H, 2 * H),
    )


# --- nothing to count ---


def test_no_tickets_give_one_empty_overall_row_and_no_other_rows() -> None:
    assert ticket_figures([], WEEK) == (TicketFigures(None, 0, 0, NO_DURATIONS, 0, NO_DURATIONS, 0),)
    assert ticket_figures([], WEEK, by="department") == ()
    assert ticket_figures([], WEEK, by="agent") == ()
    assert status_times([], WEEK) == ()
    # Tickets all outside the period: zeros, never a division by zero.
    (row,) = ticket_figures([TICKETS[5]], WEEK)
    assert row == TicketFigures(None, 0, 0, NO_DURATIONS, 0, NO_DURATIONS, 0)

"""Ticket figures for a period: volumes, first response and resolution times, backlog, time in status."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from insights.domain.calendar import Calendar
from insights.domain.periods import Period
from insights.domain.records import TicketRecord
from insights.figures.breakdown import By, in_order, ticket_keys
from insights.figures.stats import Durations, durations, median

FINISHED = "finished"
# Guide 000's order; a status this list does not know comes after, by name.
STATUS_ORDER = ("waiting", "in_progress", "awaiting_customer", FINISHED)


@dataclass(frozen=True)
class TicketFigures:
    """One row of ticket figures: the whole team (key None), a department or an agent.

    - ``opened``: tickets opened in the period; ``unanswered``: those of them with no public reply
      yet, kept out of ``first_response`` rather than counted as zero.
    - ``first_response``: opened → first public agent reply, over tickets opened in the period.
    - ``finished`` and ``resolution`` (opened → last finished): tickets whose finishing fell in the
      period; a reopened ticket counts when it is finished again.
    - ``backlog``: tickets open (not finished) at the period's end.
    Times are business seconds when a calendar is given, else elapsed seconds.
    """

    key: str | None
    opened: int
    unanswered: int
    first_response: Durations
    finished: int
    resolution: Durations
    backlog: int


@dataclass(frozen=True)
class StatusTime:
    """How long the tickets finished in the period spent in one status before being finished.

    ``tickets``: how many went through the status; ``total_s`` their time in it; ``median_s`` the
    median of each such ticket's time in it (a ticket that never entered the status is not a zero).
    Times between a finishing and a reopening count under ``finished``.
    """

    key: str | None
    status: str
    tickets: int
    total_s: float
    median_s: float | None


@dataclass
class _Tally:
    opened: int = 0
    unanswered: int = 0
    first_response: list[float] = field(default_factory=list)
    finished: int = 0
    resolution: list[float] = field(default_factory=list)
    backlog: int = 0


def ticket_figures(
    tickets: Iterable[TicketRecord], period: Period, by: By = "overall", calendar: Calendar | None = None
) -> tuple[TicketFigures, ...]:
    """The figures of the period, one row per key (``overall``: exactly one row, key None)."""
    clock = calendar or Calendar()
    responder_of, owner_of = ticket_keys(by)
    tallies: dict[str | None, _Tally] = defaultdict(_Tally)
    if by == "overall":
        tallies[None] = _Tally()
    start, end = period.start_ts, period.end_ts
    for ticket in tickets:
        opened = ticket.opened_at.timestamp()
        if opened >= end:
            continue  # opened after the period: nothing of it falls in it
        if opened >= start:
            tally = tallies[owner_of(ticket)]
            tally.opened += 1
            if ticket.first_response_at is None:
                tally.unanswered += 1
            else:
                seconds = clock.seconds_between(opened, ticket.first_response_at.timestamp())
                tallies[responder_of(ticket)].first_response.append(seconds)
        finished = None if ticket.finished_at is None else ticket.finished_at.timestamp()
        if finished is not None and start <= finished < end:
            tally = tallies[owner_of(ticket)]
            tally.finished += 1
            tally.resolution.append(clock.seconds_between(opened, finished))
        if not _is_finished_at(ticket, end, finished):
            tallies[owner_of(ticket)].backlog += 1
    return tuple(
        TicketFigures(
            key,
            tally.opened,
            tally.unanswered,
            durations(tally.first_response),
            tally.finished,
            durations(tally.resolution),
            tally.backlog,
        )
        for key, tally in in_order(tallies)
    )


def is_open_at(ticket: TicketRecord, instant: float) -> bool:
    """Whether the ticket was opened and not finished at the instant (a POSIX timestamp).

    Read from its status spans, so a ticket finished then and reopened later is not open then; a
    change exactly at the instant has not happened yet (periods end before their ``end``).
    """
    if ticket.opened_at.timestamp() >= instant:
        return False
    finished = None if ticket.finished_at is None else ticket.finished_at.timestamp()
    return not _is_finished_at(ticket, instant, finished)


def _is_finished_at(ticket: TicketRecord, instant: float, finished: float | None) -> bool:
    # The status of the last span begun before the instant.
    for span in reversed(ticket.spans):
        if span.start.timestamp() < instant:
            return span.status == FINISHED
    # No spans to read: the last finishing decides.
    return finished is not None and finished < instant


def status_times(
    tickets: Iterable[TicketRecord], period: Period, by: By = "overall", calendar: Calendar | None = None
) -> tuple[StatusTime, ...]:
    """Time in each status of the tickets finished in the period (its parts add up to their resolution).

    Per agent, a ticket counts for its owner (its assignee, else its first responder).
    """
    clock = calendar or Calendar()
    _, owner_of = ticket_keys(by)
    spent: dict[str | None, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for ticket in tickets:
        if ticket.finished_at is None or not period.holds(ticket.finished_at):
            continue
        for status, seconds in _time_in_status(ticket, ticket.finished_at.timestamp(), clock).items():
            spent[owner_of(ticket)][status].append(seconds)
    return tuple(
        StatusTime(key, status, len(times), sum(times), median(times))
        for key, statuses in in_order(spent)
        for status, times in sorted(statuses.items(), key=lambda item: _status_rank(item[0]))
    )


def _time_in_status(ticket: TicketRecord, until: float, clock: Calendar) -> dict[str, float]:
    spent: dict[str, float] = {}
    for span in ticket.spans:
        start = span.start.timestamp()
        if start >= until:
            break
        end = until if span.end is None else min(span.end.timestamp(), until)
        spent[span.status] = spent.get(span.status, 0.0) + clock.seconds_between(start, end)
    return spent


def _status_rank(status: str) -> tuple[int, str]:
    return (STATUS_ORDER.index(status), "") if status in STATUS_ORDER else (len(STATUS_ORDER), status)

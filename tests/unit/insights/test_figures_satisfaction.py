"""Satisfaction (CSAT) on a hand-built week of ratings, and the customers' comments for admins."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from insights.domain.periods import Period
from insights.domain.records import Kind, RatingRecord
from insights.figures import Satisfaction, comments, satisfaction

SP = ZoneInfo("America/Sao_Paulo")
WEEK = Period.week(date(2026, 3, 2))  # Monday 2 to Sunday 8 March 2026, São Paulo


def rating(
    subject_id: str,
    kind: Kind,
    department: str | None,
    agent_id: str | None,
    score: int,
    comment: str,
    rated: str,
) -> RatingRecord:
    rated_at = datetime.fromisoformat(rated).replace(tzinfo=SP)
    return RatingRecord(kind, subject_id, department, agent_id, score, comment, rated_at)


# The week, by hand:
R1 = rating("t1", "ticket", "Suporte", "ana", 5, "Ótimo atendimento", "2026-03-02 10:00")
R2 = rating("t2", "ticket", "Suporte", "ana", 4, "", "2026-03-03 10:00")
R3 = rating("c1", "chat", "Suporte", "ana", 2, "Demorou", "2026-03-03 15:00")
R4 = rating("c2", "chat", "Comercial", "bia", 3, "   ", "2026-03-04 10:00")  # a blank comment is none
R5 = rating("c3", "chat", "Comercial", "bia", 5, "Resolveu rápido", "2026-03-05 10:00")
R6 = rating("t3", "ticket", "Comercial", None, 1, "Ninguém respondeu", "2026-03-06 10:00")
R7 = rating("t4", "ticket", "Suporte", "ana", 5, "Semana passada", "2026-02-27 10:00")  # the week before
R8 = rating("t5", "ticket", "Suporte", "ana", 7, "fora da escala", "2026-03-06 11:00")  # not 1–5: left out
RATINGS = [R1, R2, R3, R4, R5, R6, R7, R8]


def test_overall_csat_of_the_week() -> None:
    (row,) = satisfaction(RATINGS, WEEK)

    # R1–R6: scores 5 4 2 3 5 1 → average 20 / 6; one each of 1 to 4, two 5s; 4–5: 3 of 6 = 50 %.
    assert row == Satisfaction(None, 6, pytest.approx(20 / 6), (1, 1, 1, 1, 2), 50.0)


def test_csat_per_kind_department_and_agent() -> None:
    assert satisfaction(RATINGS, WEEK, by="kind") == (
        Satisfaction("chat", 3, pytest.approx(10 / 3), (0, 1, 1, 0, 1), pytest.approx(100 / 3)),  # 2 3 5
        Satisfaction("ticket", 3, pytest.approx(10 / 3), (1, 0, 0, 1, 1), pytest.approx(200 / 3)),  # 5 4 1
    )
    assert satisfaction(RATINGS, WEEK, by="department") == (
        Satisfaction("Comercial", 3, 3.0, (1, 0, 1, 0, 1), pytest.approx(100 / 3)),  # 3 5 1
        Satisfaction("Suporte", 3, pytest.approx(11 / 3), (0, 1, 0, 1, 1), pytest.approx(200 / 3)),  # 5 4 2
    )
    assert satisfaction(RATINGS, WEEK, by="agent") == (
        Satisfaction("ana", 3, pytest.approx(11 / 3), (0, 1, 0, 1, 1), pytest.approx(200 / 3)),
        Satisfaction("bia", 2, 4.0, (0, 0, 1, 0, 1), 50.0),
        Satisfaction(None, 1, 1.0, (1, 0, 0, 0, 0), 0.0),  # R6 had no agent
    )


def test_csat_of_one_kind_per_department() -> None:
    assert satisfaction(RATINGS, WEEK, by="department", kind="chat") == (
        Satisfaction("Comercial", 2, 4.0, (0, 0, 1, 0, 1), 50.0),
        Satisfaction("Suporte", 1, 2.0, (0, 1, 0, 0, 0), 0.0),
    )
    (tickets,) = satisfaction(RATINGS, WEEK, kind="ticket")
    assert tickets.count == 3


def test_no_ratings_give_no_average_and_no_csat() -> None:
    assert satisfaction([], WEEK) == (Satisfaction(None, 0, None, (0, 0, 0, 0, 0), None),)
    assert satisfaction([], WEEK, by="agent") == ()
    assert satisfaction([R8], WEEK) == (Satisfaction(None, 0, None, (0, 0, 0, 0, 0), None),)
    assert satisfaction(RATINGS, WEEK.previous()) == (Satisfaction(None, 1, 5.0, (0, 0, 0, 0, 1), 100.0),)


def test_comments_of_the_week_newest_first_without_blank_ones() -> None:
    # R8 is out of the scale but its comment is still the customer's words.
    assert comments(RATINGS, WEEK) == (R8, R6, R5, R3, R1)
    assert comments(RATINGS, WEEK, agent="ana") == (R8, R3, R1)
    assert comments(RATINGS, WEEK, department="Comercial", kind="chat") == (R5,)
    assert comments(RATINGS, WEEK, kind="ticket", department="Suporte") == (R8, R1)
    assert comments(RATINGS, WEEK.previous()) == (R7,)
    assert comments([], WEEK) == ()

"""The satisfaction table as the API shows it: a row per key and kind, rounded, columns in the agreed order."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from insights.domain.periods import Period
from insights.domain.records import Kind, RatingRecord
from insights.figures import SatisfactionRow, csv_rows, satisfaction_rows

SP = ZoneInfo("America/Sao_Paulo")
WEEK = Period.week(date(2026, 3, 2))


def rating(
    subject_id: str, kind: Kind, department: str | None, agent: str | None, score: int
) -> RatingRecord:
    return RatingRecord(kind, subject_id, department, agent, score, "", datetime(2026, 3, 3, 10, tzinfo=SP))


# Suporte: tickets 5, 4, 2 and a chat 1; Comercial: one chat 5. 2026-02-27 is the week before.
RATINGS = [
    rating("t1", "ticket", "Suporte", "ana", 5),
    rating("t2", "ticket", "Suporte", "ana", 4),
    rating("t3", "ticket", "Suporte", None, 2),
    rating("c1", "chat", "Suporte", "ana", 1),
    rating("c2", "chat", "Comercial", "bia", 5),
    RatingRecord("chat", "c0", "Comercial", "bia", 1, "", datetime(2026, 2, 27, 10, tzinfo=SP)),
]


def test_columns_are_the_agreed_ones_in_order() -> None:
    columns, _ = csv_rows(SatisfactionRow, (), key="department")
    assert columns == [
        "department", "kind", "count", "average", "score_1", "score_2", "score_3", "score_4", "score_5",
        "csat_pct",
    ]  # fmt: skip


def test_overall_has_an_all_a_ticket_and_a_chat_row_rounded() -> None:
    _, rows = csv_rows(SatisfactionRow, satisfaction_rows(RATINGS, WEEK), key="scope")
    assert rows == [
        # 5 4 2 1 5: average 17 / 5 = 3.4; 4–5: 3 of 5 = 60 %.
        [None, "all", 5, 3.4, 1, 1, 0, 1, 2, 60.0],
        # 5 4 2: average 11 / 3 = 3.666… → 3.67; 2 of 3 = 66.666… % → 66.7.
        [None, "ticket", 3, 3.67, 0, 1, 0, 1, 1, 66.7],
        # 1 5: average 3.0; 1 of 2 = 50 %.
        [None, "chat", 2, 3.0, 1, 0, 0, 0, 1, 50.0],
    ]


def test_per_department_the_all_rows_come_first_and_a_missing_kind_counts_zero() -> None:
    rows = satisfaction_rows(RATINGS, WEEK, "department")
    assert [(row.key, row.kind, row.count) for row in rows] == [
        ("Comercial", "all", 1),
        ("Suporte", "all", 4),
        ("Comercial", "ticket", 0),
        ("Suporte", "ticket", 3),
        ("Comercial", "chat", 1),
        ("Suporte", "chat", 1),
    ]
    nothing = rows[2]
    assert (nothing.average, nothing.score, nothing.csat_pct) == (None, (0, 0, 0, 0, 0), None)
    suporte = rows[1]
    assert (suporte.average, suporte.csat_pct) == (3.0, 50.0)  # 5 4 2 1


def test_per_agent_nobody_comes_last() -> None:
    rows = satisfaction_rows(RATINGS, WEEK, "agent")
    assert [(row.key, row.kind, row.count, row.average) for row in rows if row.kind == "all"] == [
        ("ana", "all", 3, 3.33),  # 5 4 1
        ("bia", "all", 1, 5.0),
        (None, "all", 1, 2.0),  # t3 had no agent
    ]


def test_no_ratings() -> None:
    assert satisfaction_rows([], WEEK, "department") == ()
    assert [(row.kind, row.count, row.average, row.csat_pct) for row in satisfaction_rows([], WEEK)] == [
        ("all", 0, None, None),
        ("ticket", 0, None, None),
        ("chat", 0, None, None),
    ]

"""Figure tables as header and rows for CSV: nested figures flatten, the key column takes its name."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from insights.domain.records import RatingRecord
from insights.figures import (
    ChatFigures,
    Durations,
    Satisfaction,
    StatusTime,
    TicketFigures,
    csv_rows,
)

TICKET_ROW = TicketFigures(
    "Suporte", 3, 1, Durations(2, 45000.0, 78120.0), 3, Durations(3, 172800.0, 449280.0), 1
)


def test_ticket_figures_flatten_their_durations() -> None:
    header, rows = csv_rows(TicketFigures, [TICKET_ROW], key="department")

    assert header == [
        "department",
        "opened",
        "unanswered",
        "first_response_count",
        "first_response_median_s",
        "first_response_p90_s",
        "finished",
        "resolution_count",
        "resolution_median_s",
        "resolution_p90_s",
        "backlog",
    ]
    assert rows == [["Suporte", 3, 1, 2, 45000.0, 78120.0, 3, 3, 172800.0, 449280.0, 1]]


def test_undefined_figures_are_empty_cells_and_the_header_stands_without_rows() -> None:
    header, rows = csv_rows(
        ChatFigures, [ChatFigures(None, 0, 0, 0, Durations(0, None, None), 0, 0, None, None)]
    )

    assert header[0] == "key"
    assert header[4:7] == ["wait_count", "wait_median_s", "wait_p90_s"]
    assert rows == [[None, 0, 0, 0, 0, None, None, 0, 0, None, None]]
    assert csv_rows(StatusTime, [], key="agent") == (
        ["agent", "status", "tickets", "total_s", "median_s"],
        [],
    )


def test_the_score_distribution_becomes_five_columns_and_a_csv_file_reads_back() -> None:
    header, rows = csv_rows(
        Satisfaction, [Satisfaction("ana", 3, 11 / 3, (0, 1, 0, 1, 1), 200 / 3)], key="agent"
    )
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])

    assert header == [
        "agent",
        "count",
        "average",
        "distribution_1",
        "distribution_2",
        "distribution_3",
        "distribution_4",
        "distribution_5",
        "csat_pct",
    ]
    assert list(csv.reader(io.StringIO(out.getvalue())))[1][:8] == [
        "ana",
        "3",
        str(11 / 3),
        "0",
        "1",
        "0",
        "1",
        "1",
    ]


def test_comments_export_with_their_times_in_iso_8601() -> None:
    comment = RatingRecord("chat", "c1", "Suporte", "ana", 2, "Demorou", datetime(2026, 3, 3, 18, tzinfo=UTC))

    header, rows = csv_rows(RatingRecord, [comment])

    assert header == [
        "kind",
        "subject_id",
        "department",
        "agent_id",
        "score",
        "comment",
        "rated_at",
        "number",
    ]
    assert rows == [["chat", "c1", "Suporte", "ana", 2, "Demorou", "2026-03-03T18:00:00+00:00", None]]


def test_only_dataclasses_make_tables() -> None:
    with pytest.raises(TypeError, match="not a dataclass"):
        csv_rows(dict, [])

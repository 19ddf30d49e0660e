"""Customer satisfaction (CSAT) for a period: counts, average score, the 1–5 spread and the share of 4–5."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from insights.domain.periods import Period
from insights.domain.records import Kind, RatingRecord
from insights.figures.breakdown import By, in_order
from insights.figures.stats import share

RatingsBy = Literal["overall", "department", "agent", "kind"]
SCORES = range(1, 6)
# The table's kinds, in its order: every rating first, then tickets', then chats'.
KINDS: tuple[tuple[str, Kind | None], ...] = (("all", None), ("ticket", "ticket"), ("chat", "chat"))


@dataclass(frozen=True)
class Satisfaction:
    """One row of CSAT: the whole team (key None), a department, an agent or a kind (ticket, chat).

    ``distribution`` counts the scores 1 to 5 in order; ``csat_pct`` is the percentage of 4s and 5s
    (the satisfied customers).
    """

    key: str | None
    count: int
    average: float | None
    distribution: tuple[int, int, int, int, int]
    csat_pct: float | None


@dataclass(frozen=True)
class SatisfactionRow:
    """One row of the satisfaction table as the API shows it: a key and a kind (all, ticket, chat).

    ``average`` is rounded to 2 decimals and ``csat_pct`` to 1; ``score`` counts the 1s to 5s.
    """

    key: str | None
    kind: str
    count: int
    average: float | None
    score: tuple[int, int, int, int, int]
    csat_pct: float | None


def satisfaction(
    ratings: Iterable[RatingRecord], period: Period, by: RatingsBy = "overall", kind: Kind | None = None
) -> tuple[Satisfaction, ...]:
    """CSAT of the ratings given in the period, of one kind or both; scores outside 1–5 are left out."""
    spreads: dict[str | None, list[int]] = defaultdict(lambda: [0] * 5)
    if by == "overall":
        spreads[None] = [0] * 5
    for rating in _rated(ratings, period, kind):
        if rating.score in SCORES:
            spreads[_key(rating, by)][rating.score - 1] += 1
    return tuple(_row(key, spread) for key, spread in in_order(spreads))


def satisfaction_rows(
    ratings: Iterable[RatingRecord], period: Period, by: By = "overall"
) -> tuple[SatisfactionRow, ...]:
    """The satisfaction table: a row per key and kind, the ``all`` rows first, each kind in key order.

    Every key with a rating in the period has its three rows (a kind it has none of counts 0); overall
    has exactly three rows.
    """
    rated = list(ratings)
    every = satisfaction(rated, period, by)
    rows: list[SatisfactionRow] = []
    for label, kind in KINDS:
        found = {row.key: row for row in (every if kind is None else satisfaction(rated, period, by, kind))}
        for key in (row.key for row in every):
            row = found.get(key) or _row(key, [0] * 5)
            rows.append(
                SatisfactionRow(
                    key,
                    label,
                    row.count,
                    _rounded(row.average, 2),
                    row.distribution,
                    _rounded(row.csat_pct, 1),
                )
            )
    return tuple(rows)


def _rounded(value: float | None, places: int) -> float | None:
    return None if value is None else round(value, places)


def comments(
    ratings: Iterable[RatingRecord],
    period: Period,
    *,
    department: str | None = None,
    agent: str | None = None,
    kind: Kind | None = None,
) -> tuple[RatingRecord, ...]:
    """The ratings with a comment given in the period, newest first (customers' words: for admins)."""
    found = [
        rating
        for rating in _rated(ratings, period, kind)
        if rating.comment.strip()
        and (department is None or rating.department == department)
        and (agent is None or rating.agent_id == agent)
    ]
    return tuple(sorted(found, key=lambda rating: rating.rated_at.timestamp(), reverse=True))


def _rated(ratings: Iterable[RatingRecord], period: Period, kind: Kind | None) -> Iterable[RatingRecord]:
    return (r for r in ratings if (kind is None or r.kind == kind) and period.holds(r.rated_at))


def _key(rating: RatingRecord, by: RatingsBy) -> str | None:
    if by == "department":
        return rating.department
    if by == "agent":
        return rating.agent_id
    if by == "kind":
        return rating.kind
    return None


def _row(key: str | None, spread: list[int]) -> Satisfaction:
    count = sum(spread)
    average = (
        sum(score * times for score, times in zip(SCORES, spread, strict=True)) / count if count else None
    )
    one, two, three, four, five = spread
    return Satisfaction(key, count, average, (one, two, three, four, five), share(four + five, count))

"""Summaries of measured times: median and 90th percentile, as PostgreSQL's percentile_cont reads them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Durations:
    """How many times were measured, their median and their 90th percentile, in seconds (None if none).

    Percentiles interpolate linearly between the closest ranks (PostgreSQL ``percentile_cont``, numpy's
    ``linear``, Excel's ``PERCENTILE.INC``): the p-th of n sorted values sits at rank p·(n−1) counted
    from 0, so the median of an even count is the mean of the middle two.
    """

    count: int
    median_s: float | None
    p90_s: float | None


NO_DURATIONS = Durations(0, None, None)


def durations(values: Sequence[float]) -> Durations:
    """Summarise measured seconds."""
    if not values:
        return NO_DURATIONS
    median, p90 = np.percentile(np.asarray(values, dtype=float), (50, 90), method="linear").tolist()
    return Durations(len(values), median, p90)


def median(values: Sequence[float]) -> float | None:
    """The median (None for no values)."""
    return float(np.median(np.asarray(values, dtype=float))) if values else None


def mean(values: Sequence[float]) -> float | None:
    """The arithmetic mean (None for no values)."""
    return sum(values) / len(values) if values else None


def share(part: int, whole: int) -> float | None:
    """``part`` as a percentage of ``whole`` (None when there is no whole)."""
    return 100 * part / whole if whole else None

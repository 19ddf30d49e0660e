"""Percentiles, rates and ratios, by hand (numpy is not a dependency)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Summary:
    """Latency distribution in milliseconds."""

    n: int
    mean: float
    p50: float
    p90: float
    p99: float
    max: float


def percentile(samples: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation between closest ranks (numpy's default)."""
    if not samples:
        raise ValueError("percentile of no samples")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile out of range: {q}")
    ordered = sorted(samples)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarize_ns(samples_ns: Sequence[int]) -> Summary:
    """Summarise nanosecond timings as milliseconds."""
    if not samples_ns:
        raise ValueError("summary of no samples")
    ms = sorted(s / 1e6 for s in samples_ns)
    return Summary(
        n=len(ms),
        mean=sum(ms) / len(ms),
        p50=percentile(ms, 50),
        p90=percentile(ms, 90),
        p99=percentile(ms, 99),
        max=ms[-1],
    )


def rate(count: int, seconds: float) -> float:
    """Operations per second."""
    if seconds <= 0:
        raise ValueError(f"rate over a non-positive duration: {seconds}")
    return count / seconds


def ratio(value: float, base: float) -> float | None:
    """value / base, or None when the base is zero or not finite (no meaningful ratio)."""
    if base == 0 or not math.isfinite(base) or not math.isfinite(value):
        return None
    return value / base


def format_ratio(factor: float | None) -> str:
    """A ratio as '3.1×': three significant digits, whole numbers from 100 up."""
    if factor is None:
        return "n/a"
    return f"{factor:.0f}×" if factor >= 100 else f"{factor:.3g}×"

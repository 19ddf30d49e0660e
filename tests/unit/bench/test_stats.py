"""Percentile, rate and ratio maths of the benchmark runner."""

import math

import pytest

from bench.model import Outcome, Sample, compare
from bench.stats import Summary, format_ratio, percentile, rate, ratio, summarize_ns


def test_percentile_interpolates_linearly_between_closest_ranks() -> None:
    samples = [4.0, 1.0, 3.0, 2.0]  # unsorted on purpose
    assert percentile(samples, 0) == 1.0
    assert percentile(samples, 100) == 4.0
    assert percentile(samples, 50) == pytest.approx(2.5)
    assert percentile(samples, 90) == pytest.approx(3.7)  # rank 2.7 → 3 + 0.7 × (4 − 3)


def test_percentile_matches_numpy_linear_on_one_to_hundred() -> None:
    samples = [float(i) for i in range(1, 101)]
    assert percentile(samples, 50) == pytest.approx(50.5)
    assert percentile(samples, 99) == pytest.approx(99.01)


def test_percentile_of_one_sample_is_that_sample() -> None:
    assert percentile([7.0], 99) == 7.0


@pytest.mark.parametrize("q", [-1, 101])
def test_percentile_rejects_out_of_range(q: float) -> None:
    with pytest.raises(ValueError, match="out of range"):
        percentile([1.0], q)


def test_percentile_rejects_empty() -> None:
    with pytest.raises(ValueError, match="no samples"):
        percentile([], 50)


def test_summarize_converts_nanoseconds_to_milliseconds() -> None:
    summary = summarize_ns([1_000_000, 3_000_000, 2_000_000])
    assert (summary.n, summary.mean, summary.p50, summary.max) == (3, 2.0, 2.0, 3.0)
    assert summary.p90 == pytest.approx(2.8)
    assert summary.p99 == pytest.approx(2.98)


def test_rate_is_count_over_seconds_and_refuses_zero_time() -> None:
    assert rate(3_000, 1.5) == 2_000
    with pytest.raises(ValueError, match="non-positive"):
        rate(1, 0)


def test_ratio_and_its_format() -> None:
    assert ratio(3.1, 1.0) == pytest.approx(3.1)
    assert ratio(1.0, 0) is None
    assert ratio(1.0, math.inf) is None
    assert format_ratio(3.1) == "3.1×"
    assert format_ratio(0.8734) == "0.873×"
    assert format_ratio(123.4) == "123×"
    assert format_ratio(None) == "n/a"


def _outcome(name: str, rate_: float, p50: float | None = None, p99: float | None = None) -> Outcome:
    latency = (
        Summary(n=1, mean=0, p50=p50, p90=0, p99=p99, max=0) if p50 is not None and p99 is not None else None
    )
    return Outcome(name, "baseline", "ops", "", rate=rate_, latency_ms=latency)


def test_compare_gives_rate_p50_and_p99_ratios_against_the_named_baseline() -> None:
    base = _outcome("nats_rtt", 2_000, p50=0.5, p99=1.0)
    texts = {r.metric: r.text for r in compare(_outcome("s", 500, p50=1.55, p99=2.0), base)}
    assert texts == {
        "rate": "rate = 0.25× nats_rtt rate",
        "p50": "p50 = 3.1× nats_rtt p50",
        "p99": "p99 = 2× nats_rtt p99",
    }


def test_compare_without_latency_gives_only_the_rate_ratio() -> None:
    ratios = compare(_outcome("s", 300), _outcome("js_publish", 600, p50=0.3, p99=0.9))
    assert [(r.metric, r.factor) for r in ratios] == [("rate", 0.5)]


def test_merge_pools_rounds_and_takes_the_median_of_numeric_facts() -> None:
    rounds = [
        Sample(100, 1.0, [1, 2], {"storage": "file", "first_rate": 10.0}),
        Sample(300, 1.0, [3], {"storage": "file", "first_rate": 30.0}),
        Sample(200, 2.0, [4], {"storage": "file", "first_rate": 20.0}),
    ]
    merged = Sample.merge(rounds)
    assert (merged.count, merged.seconds, merged.latencies_ns) == (600, 4.0, [1, 2, 3, 4])
    assert merged.facts == {"storage": "file", "first_rate": 20.0, "round_rates": [100, 300, 100]}

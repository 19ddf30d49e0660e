"""What a benchmark returns (Sample), what the runner records (Outcome) and how two outcomes compare."""

from __future__ import annotations

import statistics
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from bench.stats import Summary, format_ratio, rate, ratio, summarize_ns

if TYPE_CHECKING:
    from bench.context import BenchContext

Kind = Literal["baseline", "scenario"]


@dataclass
class Sample:
    """Operations over one timed wall-clock span, with each operation's latency when it was measured."""

    count: int
    seconds: float
    latencies_ns: list[int] = field(default_factory=list)
    facts: dict[str, object] = field(default_factory=dict)

    @classmethod
    def merge(cls, rounds: list[Sample]) -> Sample:
        """Pool rounds: counts, time and latencies add up; a numeric fact becomes its median over rounds."""
        if not rounds:
            raise ValueError("merge of no samples")
        facts: dict[str, object] = {}
        for key, value in rounds[-1].facts.items():
            values = [r.facts.get(key) for r in rounds]
            numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
            facts[key] = statistics.median(numbers) if len(numbers) == len(values) else value
        if len(rounds) > 1:
            facts["round_rates"] = [round(rate(r.count, r.seconds)) for r in rounds]
        return cls(
            count=sum(r.count for r in rounds),
            seconds=sum(r.seconds for r in rounds),
            latencies_ns=[x for r in rounds for x in r.latencies_ns],
            facts=facts,
        )


Body = Callable[["BenchContext"], Awaitable[Sample]]


@dataclass(frozen=True)
class Benchmark:
    """A named, registered measurement; scenarios name the baseline they are compared with."""

    name: str
    unit: str
    description: str
    run: Body
    baseline: str | None = None
    # A long run (the soak) sets its own time limit and runs in the first round only: pooling
    # rounds of a 10-minute run would triple it and add nothing.
    timeout_s: Callable[[BenchContext], float] | None = None
    once: bool = False


@dataclass(frozen=True)
class Ratio:
    """One scenario figure divided by the same figure of its baseline."""

    metric: str
    factor: float | None
    text: str


@dataclass
class Outcome:
    """A benchmark's result (or error) as reported."""

    name: str
    kind: Kind
    unit: str
    description: str
    baseline: str | None = None
    count: int = 0
    seconds: float = 0.0
    rate: float | None = None
    latency_ms: Summary | None = None
    facts: dict[str, object] = field(default_factory=dict)
    ratios: list[Ratio] = field(default_factory=list)
    error: str | None = None

    @classmethod
    def measured(cls, bench: Benchmark, kind: Kind, sample: Sample) -> Outcome:
        """Turn a sample into reported figures."""
        return cls(
            name=bench.name,
            kind=kind,
            unit=bench.unit,
            description=bench.description,
            baseline=bench.baseline,
            count=sample.count,
            seconds=sample.seconds,
            rate=rate(sample.count, sample.seconds),
            latency_ms=summarize_ns(sample.latencies_ns) if sample.latencies_ns else None,
            facts=dict(sample.facts),
        )

    @classmethod
    def failed(cls, bench: Benchmark, kind: Kind, error: str) -> Outcome:
        """Record a benchmark that raised or timed out."""
        return cls(bench.name, kind, bench.unit, bench.description, bench.baseline, error=error)


def compare(scenario: Outcome, base: Outcome) -> list[Ratio]:
    """Ratios of every figure both outcomes have: rate, p50 and p99 latency."""
    pairs: list[tuple[str, float | None, float | None]] = [("rate", scenario.rate, base.rate)]
    if scenario.latency_ms and base.latency_ms:
        pairs += [
            ("p50", scenario.latency_ms.p50, base.latency_ms.p50),
            ("p99", scenario.latency_ms.p99, base.latency_ms.p99),
        ]
    ratios = []
    for metric, value, base_value in pairs:
        if value is None or base_value is None:
            continue
        factor = ratio(value, base_value)
        ratios.append(Ratio(metric, factor, f"{metric} = {format_ratio(factor)} {base.name} {metric}"))
    return ratios

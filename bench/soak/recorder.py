"""What each flow did: operations, errors (the first few kept verbatim) and latencies after warm-up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from time import perf_counter_ns

from bench.stats import percentile

KEPT_ERRORS = 5


@dataclass
class Flow:
    """One kind of operation (a ticket opened, a chat message delivered…)."""

    name: str
    ok: int = 0
    errors: int = 0
    first_errors: list[str] = field(default_factory=list)
    latencies_ns: list[int] = field(default_factory=list)

    def done(self, started_ns: int, measuring: bool, ended_ns: int | None = None) -> None:
        """One success; its latency counts only once warm-up is over."""
        self.ok += 1
        if measuring:
            self.latencies_ns.append((ended_ns or perf_counter_ns()) - started_ns)

    def failed(self, why: str) -> None:
        """One failure, whenever it happens (warm-up included: errors must be 0 throughout)."""
        self.errors += 1
        if len(self.first_errors) < KEPT_ERRORS:
            self.first_errors.append(why[:300])

    def facts(self) -> dict[str, object]:
        """count, errors, p50 and p99 in ms, flat so the report's notes can show them."""
        out: dict[str, object] = {f"{self.name}_n": self.ok, f"{self.name}_errors": self.errors}
        if self.latencies_ns:
            ms = [x / 1e6 for x in self.latencies_ns]
            out[f"{self.name}_p50_ms"] = round(percentile(ms, 50), 2)
            out[f"{self.name}_p99_ms"] = round(percentile(ms, 99), 2)
        return out


class Flows:
    """Every flow of the run by name, and whether latencies are being measured yet."""

    def __init__(self, *names: str) -> None:
        self.by_name = {name: Flow(name) for name in names}
        self.measuring = False
        self.watched: tuple[str, ...] = ()  # flows whose every answer goes to ``on_answer``
        self.on_answer: Callable[[int, int], None] = lambda started_ns, ended_ns: None

    def __getitem__(self, name: str) -> Flow:
        return self.by_name[name]

    def done(self, name: str, started_ns: int, ended_ns: int | None = None) -> None:
        """Record a success of flow ``name`` that started at ``started_ns``."""
        ended_ns = ended_ns or perf_counter_ns()
        self.by_name[name].done(started_ns, self.measuring, ended_ns)
        if name in self.watched:
            self.on_answer(started_ns, ended_ns)

    def failed(self, name: str, why: str) -> None:
        """Record a failure of flow ``name``."""
        self.by_name[name].failed(why)

    @property
    def errors(self) -> int:
        """Failures of every flow together."""
        return sum(flow.errors for flow in self.by_name.values())

    def error_lines(self) -> list[str]:
        """The kept errors, prefixed by their flow."""
        return [f"{flow.name}: {why}" for flow in self.by_name.values() for why in flow.first_errors]

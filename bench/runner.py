"""Run the selected baselines first, then the scenarios, and collect one report."""

from __future__ import annotations

import asyncio
import gc
import os
import platform
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bench.baselines import BASELINES
from bench.context import BenchContext
from bench.model import Benchmark, Kind, Outcome, Sample, compare
from bench.scenarios import discover


@dataclass
class Report:
    """Everything one run measured, with the facts needed to judge it."""

    machine: dict[str, object]
    endpoints: dict[str, str]
    quick: bool
    rounds: int
    baselines: list[Outcome] = field(default_factory=list)
    scenarios: list[Outcome] = field(default_factory=list)

    @property
    def failed(self) -> list[Outcome]:
        """Outcomes that raised or timed out."""
        return [o for o in self.baselines + self.scenarios if o.error]


def select(only: list[str] | None) -> tuple[list[Benchmark], list[Benchmark]]:
    """Baselines and scenarios to run; a selected scenario brings its baseline along."""
    scenarios = discover()
    if not only:
        return list(BASELINES.values()), list(scenarios.values())
    unknown = [name for name in only if name not in BASELINES and name not in scenarios]
    if unknown:
        known = ", ".join([*BASELINES, *scenarios])
        raise ValueError(f"unknown benchmark(s): {', '.join(unknown)}; known: {known}")
    chosen = [scenarios[name] for name in scenarios if name in only]
    needed = set(only) | {s.baseline for s in chosen if s.baseline}
    return [b for name, b in BASELINES.items() if name in needed], chosen


def machine_facts(loop_name: str) -> dict[str, object]:
    """Facts that explain a figure: cores, interpreter, event loop, load."""
    return {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "loop": loop_name,
        "loadavg_1m_before": round(os.getloadavg()[0], 2),
    }


class EndpointError(Exception):
    """NATS or PostgreSQL could not be reached before any measurement started."""


async def server_facts(ctx: BenchContext) -> dict[str, object]:
    """Server versions, probed first so an unreachable endpoint fails early and clearly."""
    public = ctx.endpoints.public()
    try:
        async with ctx.nats("probe") as nc:
            v = nc.connected_server_version
            nats_version = f"{v.major}.{v.minor}.{v.patch}"
    except Exception as exc:
        raise EndpointError(f"cannot reach NATS at {public['nats']}: {exc}") from exc
    try:
        async with ctx.postgres() as conn:
            row = await (await conn.execute("SHOW server_version")).fetchone()
    except Exception as exc:
        raise EndpointError(f"cannot reach PostgreSQL at {public['postgres']}: {exc}") from exc
    return {"nats_server": nats_version, "postgres_server": str(row[0]) if row else "?"}


async def _sample(
    bench: Benchmark, kind: Kind, ctx: BenchContext, timeout_s: float, label: str
) -> Sample | str:
    """One timed run, or the error it ended with (recorded, not raised, so the others still run)."""
    gc.collect()  # why: start each measurement without garbage left by the previous one
    print(f"  {label} {kind} {bench.name} …", file=sys.stderr, flush=True)
    try:
        return await asyncio.wait_for(bench.run(ctx), timeout_s)
    except TimeoutError:
        return f"TimeoutError: no result within {timeout_s:.0f} s"
    except Exception as exc:  # any failure becomes a reported error, so one broken benchmark spares the rest
        return f"{type(exc).__name__}: {exc}"


async def run(
    ctx: BenchContext, baselines: list[Benchmark], scenarios: list[Benchmark], loop_name: str, rounds: int
) -> Report:
    """Rounds of (baselines, then scenarios), pooled; interleaving spreads the machine's drift evenly."""
    report = Report(machine_facts(loop_name), ctx.endpoints.public(), ctx.quick, rounds)
    report.machine.update(await server_facts(ctx))
    timeout_s = 30.0 if ctx.quick else 120.0
    order: list[tuple[Kind, Benchmark]] = [("baseline", b) for b in baselines] + [
        ("scenario", s) for s in scenarios
    ]
    samples: dict[str, list[Sample]] = {bench.name: [] for _, bench in order}
    errors: dict[str, str] = {}
    for round_no in range(1, rounds + 1):
        for kind, bench in order:
            if bench.name in errors:
                continue  # a benchmark that failed once is not retried: its figures would be partial
            if bench.once and round_no > 1:
                continue
            limit = bench.timeout_s(ctx) if bench.timeout_s else timeout_s
            result = await _sample(bench, kind, ctx, limit, f"round {round_no}/{rounds}")
            if isinstance(result, str):
                errors[bench.name] = result
            else:
                samples[bench.name].append(result)

    def outcome(kind: Kind, bench: Benchmark) -> Outcome:
        if bench.name in errors:
            return Outcome.failed(bench, kind, errors[bench.name])
        return Outcome.measured(bench, kind, Sample.merge(samples[bench.name]))

    report.baselines = [outcome(kind, bench) for kind, bench in order if kind == "baseline"]
    measured = {o.name: o for o in report.baselines if not o.error}
    for kind, bench in order:
        if kind == "scenario":
            scored = outcome(kind, bench)
            base = measured.get(bench.baseline or "")
            if base and not scored.error:
                scored.ratios = compare(scored, base)
            report.scenarios.append(scored)
    report.machine["loadavg_1m_after"] = round(os.getloadavg()[0], 2)
    return report

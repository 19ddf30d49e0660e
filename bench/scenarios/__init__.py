"""Scenario registry: each module in this package registers its scenarios with `@scenario`."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

from bench.baselines import BASELINES
from bench.context import BenchContext
from bench.model import Benchmark, Body, Sample

__all__ = ["SCENARIOS", "BenchContext", "Sample", "discover", "scenario"]

SCENARIOS: dict[str, Benchmark] = {}


def scenario(
    name: str,
    unit: str,
    baseline: str,
    *,
    timeout_s: Callable[[BenchContext], float] | None = None,
    once: bool = False,
) -> Callable[[Body], Body]:
    """Register an async `(ctx) -> Sample` as a scenario reported as ratios to the named baseline.

    ``timeout_s`` replaces the runner's limit (for a scenario that runs for a set time); ``once``
    runs it in the first round only.
    """
    if baseline not in BASELINES:
        raise ValueError(f"scenario {name!r}: unknown baseline {baseline!r}; known: {', '.join(BASELINES)}")

    def register(run: Body) -> Body:
        if name in SCENARIOS or name in BASELINES:
            raise ValueError(f"benchmark name {name!r} registered twice")
        description = (run.__doc__ or name).strip().splitlines()[0]
        SCENARIOS[name] = Benchmark(name, unit, description, run, baseline, timeout_s, once)
        return run

    return register


def discover() -> dict[str, Benchmark]:
    """Import every module of this package (once), which registers its scenarios; sorted by name."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return dict(sorted(SCENARIOS.items()))

"""Each service's resident memory and CPU, sampled every few seconds, and the memory trend (MB/min)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from time import monotonic

import psutil  # type: ignore[import-untyped]  # (no stubs in the lock)

MB = 1024 * 1024


def slope_per_min(points: Sequence[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, value) points, per minute; 0 for fewer than two distinct times."""
    n = len(points)
    if n < 2:
        return 0.0
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    spread = sum((t - mean_t) ** 2 for t, _ in points)
    if spread == 0:
        return 0.0
    return 60 * sum((t - mean_t) * (v - mean_v) for t, v in points) / spread


def _rss_and_cpu(process: psutil.Process) -> tuple[int, float]:
    """Resident bytes and CPU seconds of a process and its children (a service may fork helpers)."""
    members = [process, *process.children(recursive=True)]
    rss = cpu = 0.0
    for member in members:
        with contextlib.suppress(psutil.Error):  # a child may end between listing and reading
            rss += member.memory_info().rss
            times = member.cpu_times()
            cpu += times.user + times.system
    return int(rss), cpu


@dataclass
class Series:
    """One service's samples: (seconds since start, RSS in MB) and (seconds, CPU seconds)."""

    rss_mb: list[tuple[float, float]] = field(default_factory=list)
    cpu_s: list[tuple[float, float]] = field(default_factory=list)


class Sampler:
    """Samples every ``every_s`` seconds while running; ``facts(after_s)`` judges what came after warm-up."""

    def __init__(self, pids: Mapping[str, int], every_s: float) -> None:
        self.processes = {name: psutil.Process(pid) for name, pid in pids.items()}
        self.every_s = every_s
        self.series = {name: Series() for name in pids}
        self.started = monotonic()

    def sample(self) -> None:
        """Read every process now."""
        at = monotonic() - self.started
        for name, process in self.processes.items():
            try:
                rss, cpu = _rss_and_cpu(process)
            except psutil.Error:
                continue  # a service that died shows as missing samples and in its flows' errors
            self.series[name].rss_mb.append((at, rss / MB))
            self.series[name].cpu_s.append((at, cpu))

    async def run(self) -> None:
        """Sample until cancelled."""
        while True:
            await asyncio.to_thread(self.sample)
            await asyncio.sleep(self.every_s)

    def latest_rss(self) -> dict[str, float]:
        """The last RSS of each service, in MB (for progress lines)."""
        return {name: s.rss_mb[-1][1] for name, s in self.series.items() if s.rss_mb}

    def facts(self, after_s: float, until_s: float) -> dict[str, object]:
        """Per service, over the load after warm-up (``after_s`` to ``until_s`` since the start): RSS at
        its first sample, the slope over that span and over its second half (MB/min) and the mean CPU
        share (% of one core); and RSS at the last sample (after the queues drained)."""
        out: dict[str, object] = {}
        for name, series in self.series.items():
            kept = [(t, v) for t, v in series.rss_mb if after_s <= t <= until_s]
            cpu = [(t, v) for t, v in series.cpu_s if after_s <= t <= until_s]
            if len(kept) < 2:
                continue
            key = name.replace("-", "_")
            out[f"{key}_rss_start_mb"] = round(kept[0][1], 1)
            out[f"{key}_rss_end_mb"] = round(series.rss_mb[-1][1], 1)
            out[f"{key}_rss_slope_mb_per_min"] = round(slope_per_min(kept), 3)
            # The second half alone: a bounded cache filling up slows down, a leak keeps its pace.
            late = [(t, v) for t, v in kept if t >= (kept[0][0] + kept[-1][0]) / 2]
            out[f"{key}_rss_late_slope_mb_per_min"] = round(slope_per_min(late), 3)
            span = cpu[-1][0] - cpu[0][0]
            if span > 0:
                out[f"{key}_cpu_pct"] = round(100 * (cpu[-1][1] - cpu[0][1]) / span, 1)
        return out

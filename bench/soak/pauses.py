"""When the slowest answers happened, and what else happened then: the load generator's own stalls
and PostgreSQL's checkpoints, so a tail shared by every flow can be traced to its cause."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from time import perf_counter_ns

import psycopg

TICK_S = 0.1
WORST = 5
_CHECKPOINTS = "SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter"  # PostgreSQL ≤ 16


class Pauses:
    """Per second of the run: the slowest interactive answer, the generator's loop lag, checkpoints."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.began_ns = perf_counter_ns()
        self.slowest_ms: dict[int, float] = defaultdict(float)  # second of the run → slowest answer
        self.lag_ms: dict[int, float] = defaultdict(float)  # second → generator loop lag
        self.checkpoints_at: list[int] = []

    def restart(self) -> None:
        """Count the run's seconds from now."""
        self.began_ns = perf_counter_ns()

    def second(self, at_ns: int) -> int:
        """The second of the run ``at_ns`` falls in."""
        return (at_ns - self.began_ns) // 1_000_000_000

    def answered(self, started_ns: int, ended_ns: int) -> None:
        """An interactive answer: remembered if it was its second's slowest."""
        second = self.second(ended_ns)
        self.slowest_ms[second] = max(self.slowest_ms[second], (ended_ns - started_ns) / 1e6)

    async def run(self) -> None:
        """Sample the generator's loop lag every tick and the checkpoint count every second."""
        checkpoints, looked = None, -1
        async with await psycopg.AsyncConnection.connect(self.admin_url, autocommit=True) as conn:
            while True:
                before = perf_counter_ns()
                await asyncio.sleep(TICK_S)
                now = perf_counter_ns()
                second = self.second(now)
                self.lag_ms[second] = max(self.lag_ms[second], (now - before) / 1e6 - TICK_S * 1000)
                if second != looked:
                    looked = second
                    row = await (await conn.execute(_CHECKPOINTS)).fetchone()
                    count = int(row[0]) if row else 0
                    if checkpoints is not None and count != checkpoints:
                        self.checkpoints_at.append(second)  # one finished (its fsyncs are at the end)
                    checkpoints = count

    def facts(self) -> dict[str, object]:
        """The worst seconds (when, slowest answer, generator lag then) and the checkpoints' seconds."""
        worst = sorted(self.slowest_ms.items(), key=lambda item: item[1], reverse=True)[:WORST]
        return {
            "worst_seconds": "; ".join(
                f"{s} s: {ms:.0f} ms (lag {self.lag_ms.get(s, 0.0):.0f} ms)" for s, ms in worst
            ),
            "generator_lag_max_ms": round(max(self.lag_ms.values(), default=0.0), 1),
            "checkpoints_at_s": ",".join(str(s) for s in self.checkpoints_at) or "none",
        }

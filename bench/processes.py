"""Atende services as the benchmarks run them: separate processes, as deployed, on fresh databases."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import psycopg
from psycopg import sql

from bench.context import BenchContext
from devstack.postgres import ensure_database
from devstack.procs import ManagedProcess, free_port, http_ok


@dataclass(frozen=True)
class Running:
    """The started processes, each one's database URL and ops port (/metrics), by service name."""

    procs: dict[str, ManagedProcess]
    databases: dict[str, str]
    ops_ports: dict[str, int]

    @property
    def pids(self) -> dict[str, int]:
        """Process ids by service name (for CPU and memory figures)."""
        return {name: proc.pid for name, proc in self.procs.items() if proc.pid is not None}


@asynccontextmanager
async def services(ctx: BenchContext, settings: Mapping[str, Mapping[str, str]]) -> AsyncIterator[Running]:
    """Start ``python -m <name>`` for each service, in order, with its ``ATENDE_<NAME>_`` settings.

    Each gets NATS, a fresh database, an ops port, PYTHONOPTIMIZE=1 (as `make up` runs them) and
    quiet logs; the next starts once the previous is ready. On exit they stop and the databases go.
    """
    names = {name: ctx.unique(f"bench_{name}").lower().replace("-", "_") for name in settings}
    databases = {
        name: await asyncio.to_thread(ensure_database, ctx.endpoints.postgres_url, database)
        for name, database in names.items()
    }
    logs = Path(tempfile.mkdtemp(prefix="atende-bench-"))
    base = os.environ | {"PYTHONOPTIMIZE": "1", "PYTHONUNBUFFERED": "1"}
    procs: dict[str, ManagedProcess] = {}
    ops_ports: dict[str, int] = {}
    try:
        for name, own in settings.items():
            prefix, ops_port = f"ATENDE_{name.upper().replace('-', '_')}_", free_port()
            values = {
                "NATS_URL": ctx.endpoints.nats_url,
                "LOG_LEVEL": "warning",
                "POSTGRES_URL": databases[name],
                "OPS_PORT": str(ops_port),
            }
            env = base | {prefix + key: value for key, value in (values | dict(own)).items()}
            module = name.replace("-", "_")
            proc = ManagedProcess(name, [sys.executable, "-m", module], logs / f"{name}.log", env=env)
            proc.start()
            procs[name], ops_ports[name] = proc, ops_port
            ready = partial(http_ok, f"http://127.0.0.1:{ops_port}/readyz", 1.0)
            await asyncio.to_thread(proc.wait_until, ready, 60, "readiness")
        yield Running(procs, databases, ops_ports)
    finally:
        for proc in procs.values():
            proc.terminate()
        for proc in procs.values():
            await asyncio.to_thread(proc.stop, 20)
        await asyncio.to_thread(drop_databases, ctx.endpoints.postgres_url, names.values())


def drop_databases(admin_url: str, names: Iterable[str]) -> None:
    """Drop the benchmark's databases, closing whatever connection a stopped process left."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        for name in names:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def cpu_seconds(pid: int | None) -> float | None:
    """CPU seconds (user + system) a process has used so far; None off Linux or once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None

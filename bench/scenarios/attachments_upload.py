"""10 MB attachments through gateway → files → S3, eight at once, with the services run as deployed.

Figures: MiB/s stored (target ≥ 50 MB/s) and how much the gateway's and files' peak resident
memory grew per concurrent upload (target < 15 MB): bytes must stream, never sit in memory whole.
"""

from __future__ import annotations

import asyncio
import io
import os
import zipfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from time import perf_counter_ns

import aiohttp
import httpx

from bench.processes import services
from bench.scenarios import BenchContext, Sample, scenario
from bench.scenarios.tickets_over_http import _customer_token
from devstack.procs import free_port

IN_FLIGHT = 8
MIB = 1024 * 1024


def _backup_zip(size: int) -> bytes:
    """A realistic "backup.zip" just under ``size``: one incompressible member, stored."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("dump.bin", os.urandom(size - 200))
    return buffer.getvalue()


def _memory_kib(pid: int) -> tuple[int, int]:
    """(current, peak) resident memory of a process, from /proc."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line
    )
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


@asynccontextmanager
async def _stack(ctx: BenchContext) -> AsyncIterator[tuple[aiohttp.ClientSession, dict[str, int]]]:
    """files and gateway processes on fresh databases; yields a customer's client and the pids."""
    endpoint, access, secret = ctx.endpoints.s3()
    http_port, internal_port, token = free_port(), free_port(), os.urandom(12).hex()
    files = {
        "INTERNAL_PORT": str(internal_port),
        "INTERNAL_TOKEN": token,
        "S3_ENDPOINT": endpoint,
        "S3_ACCESS_KEY": access,
        "S3_SECRET_KEY": secret,
        "S3_BUCKET": ctx.unique("bench-files").replace("_", "-").lower(),
    }
    gateway = {
        "HTTP_PORT": str(http_port),
        "DEV_MODE": "true",
        "COOKIE_SECURE": "false",
        "FILES_URL": f"http://127.0.0.1:{internal_port}",
        "FILES_TOKEN": token,
        "RATE_LIMITS": "false",  # one customer, many tickets, one IP
    }
    async with services(ctx, {"files": files, "gateway": gateway}) as running:
        url = f"http://127.0.0.1:{http_port}"
        async with httpx.AsyncClient(base_url=url, timeout=30) as setup:
            bearer = await _customer_token(setup)
        async with aiohttp.ClientSession(
            url,
            connector=aiohttp.TCPConnector(limit=IN_FLIGHT),
            headers={"Authorization": f"Bearer {bearer}"},
            timeout=aiohttp.ClientTimeout(total=120),
        ) as client:
            yield client, running.pids


async def _upload(client: aiohttp.ClientSession, data: bytes, index: int, latencies: list[int]) -> None:
    t0 = perf_counter_ns()
    async with client.post(
        "/api/v1/tickets/new/attachments",
        params={"filename": "backup.zip"},
        data=data,
        headers={"Idempotency-Key": f"bench-{index}", "Content-Type": "application/octet-stream"},
    ) as answer:
        body = await answer.read()
    latencies.append(perf_counter_ns() - t0)
    if answer.status != 201:
        raise RuntimeError(f"upload answered {answer.status}: {body[:200]!r}")


@scenario("attachments_upload_over_http", unit="MiB", baseline="s3_put")
async def attachments_upload_over_http(ctx: BenchContext) -> Sample:
    """8 concurrent 10 MB uploads, HTTP → gateway → files → S3 (target ≥ 50 MB/s, < 15 MB RSS each)."""
    n = ctx.count(32, 8)
    data = _backup_zip(10 * 1000 * 1000)
    latencies: list[int] = []
    async with _stack(ctx) as (client, pids):
        await _upload(client, data, -1, [])  # warm-up: connections, imports, the first S3 multipart
        before = {name: _memory_kib(pid)[0] for name, pid in pids.items()}
        queue = iter(range(n))

        async def worker() -> None:
            for index in queue:
                await _upload(client, data, index, latencies)

        start = perf_counter_ns()
        await asyncio.gather(*(worker() for _ in range(IN_FLIGHT)))
        elapsed = perf_counter_ns() - start
        peaks = {name: _memory_kib(pid)[1] for name, pid in pids.items()}
    growth = {
        f"{name}_rss_growth_per_upload_mb": round((peaks[name] - before[name]) / 1024 / IN_FLIGHT, 1)
        for name in pids
    }
    return Sample(n * len(data) // MIB, elapsed / 1e9, latencies, {"in_flight": IN_FLIGHT, **growth})

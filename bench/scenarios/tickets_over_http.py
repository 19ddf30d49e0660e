"""Opening tickets through the gateway's HTTP API, end to end, with the services run as deployed.

HTTP → gateway → NATS → tickets → event store → read models: a ticket counts once its answer came
back, and answers leave only once the customer's list shows the ticket (read-your-writes).
The gateway and the tickets service are separate processes started with PYTHONOPTIMIZE=1, like
`make up`; the load generator shares the machine's two cores with them. It is aiohttp: httpx
spends more CPU per request than the gateway does and capped the figure at about a third.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from time import perf_counter_ns
from urllib.parse import parse_qs, urlsplit

import aiohttp
import httpx

from bench.processes import cpu_seconds, services
from bench.scenarios import BenchContext, Sample, scenario
from devstack.procs import free_port

CLIENTS = 16
WARMUP = 20  # tickets opened before the clock starts (connections, prepared statements, caches)
PASSWORD = "bench password 123"  # noqa: S105 (a throwaway account of a throwaway database)


@asynccontextmanager
async def _stack(ctx: BenchContext) -> AsyncIterator[tuple[aiohttp.ClientSession, dict[str, int]]]:
    """Tickets and gateway processes on fresh databases; yields a customer's API client (bearer)
    and the processes' ids by name."""
    http_port = free_port()
    # One customer opening thousands of tickets from one IP: a load test, not abuse.
    gateway = {
        "HTTP_PORT": str(http_port),
        "DEV_MODE": "true",
        "COOKIE_SECURE": "false",
        "RATE_LIMITS": "false",
    }
    async with services(ctx, {"tickets": {}, "gateway": gateway}) as running:
        url = f"http://127.0.0.1:{http_port}"
        async with httpx.AsyncClient(base_url=url, timeout=30) as setup:
            token = await _customer_token(setup)
        async with aiohttp.ClientSession(
            url,
            connector=aiohttp.TCPConnector(limit=CLIENTS),
            headers={"Authorization": f"Bearer {token}"},
            timeout=aiohttp.ClientTimeout(total=30),
        ) as client:
            for warmup in range(WARMUP):
                await _open(client, -1 - warmup, [])
            yield client, running.pids


async def _customer_token(client: httpx.AsyncClient, email: str = "cliente@example.com") -> str:
    signed = await client.post(
        "/api/v1/accounts", json={"name": "Bench", "email": email, "password": PASSWORD}
    )
    if "dev_verification_url" not in signed.json():
        raise RuntimeError(f"sign-up answered {signed.status_code}: {signed.text[:300]}")
    token = parse_qs(urlsplit(signed.json()["dev_verification_url"]).fragment)["token"][0]
    await client.post("/api/v1/accounts/verify", json={"token": token})
    session = await client.post("/api/v1/session", json={"email": email, "password": PASSWORD})
    issued = await client.post(
        "/api/v1/tokens", json={"name": "bench"}, headers={"X-CSRF-Token": session.json()["csrf_token"]}
    )
    return str(issued.json()["token"])


async def _open(client: aiohttp.ClientSession, index: int, latencies: list[int]) -> None:
    t0 = perf_counter_ns()
    async with client.post(
        "/api/v1/tickets",
        json={
            "subject": "Não consigo emitir a nota",
            "description": "Aparece um erro ao emitir a nota fiscal.",
            "department": "Suporte",
        },
        headers={"Idempotency-Key": f"bench-{index}"},
    ) as answer:
        body = await answer.read()
    latencies.append(perf_counter_ns() - t0)
    if answer.status != 201:
        raise RuntimeError(f"open answered {answer.status}: {body[:200]!r}")


async def _listed(client: aiohttp.ClientSession) -> int:
    async with client.get("/api/v1/tickets", params={"limit": "1"}) as answer:
        return int((await answer.json())["total"])


@scenario("tickets_open_over_http", unit="tickets", baseline="pg_commit")
async def tickets_open_over_http(ctx: BenchContext) -> Sample:
    """16 concurrent clients open tickets over HTTP, end to end to the customer's list (target ≥ 0.5×)."""
    n = ctx.count(3_000, 200)
    latencies: list[int] = []
    async with _stack(ctx) as (client, pids):
        queue = iter(range(n))

        async def worker() -> None:
            for index in queue:
                await _open(client, index, latencies)

        cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        start = perf_counter_ns()
        await asyncio.gather(*(worker() for _ in range(CLIENTS)))
        elapsed = perf_counter_ns() - start
        cpu_after = {name: cpu_seconds(pid) for name, pid in pids.items()}
        listed = await _listed(client)
    if listed != n + WARMUP:
        raise RuntimeError(f"the customer's list shows {listed} tickets, expected {n + WARMUP}")
    facts: dict[str, object] = {"clients": CLIENTS}
    for name, before in cpu_before.items():
        after = cpu_after[name]
        if before is not None and after is not None:
            facts[f"{name}_cpu_ms_per_ticket"] = round((after - before) * 1000 / n, 3)
    return Sample(n, elapsed / 1e9, latencies, facts)


@scenario("tickets_open_over_http_at_100_per_s", unit="tickets", baseline="pg_commit")
async def tickets_open_over_http_at_100_per_s(ctx: BenchContext) -> Sample:
    """Tickets opened over HTTP at a fixed 100/s (open loop): latency when not saturated (target p99 ≤ 15 ms)."""
    n = ctx.count(1_500, 100)
    latencies: list[int] = []
    async with _stack(ctx) as (client, _):
        loop = asyncio.get_running_loop()
        begin = loop.time()
        tasks = []
        for index in range(n):
            delay = begin + index / 100 - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(_open(client, index, latencies)))
        start = perf_counter_ns()
        await asyncio.gather(*tasks)
        elapsed = n / 100 + (perf_counter_ns() - start) / 1e9
    return Sample(n, elapsed, latencies, {"offered_per_s": 100})

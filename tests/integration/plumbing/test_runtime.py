"""A service's runtime shuts down in order: readiness, workers, the bus, then the resources they use."""

from __future__ import annotations

import asyncio
import uuid

from contracts import Envelope, Message
from plumbing.bus import Bus
from plumbing.runtime import open_runtime
from plumbing.settings import PostgresSettings, ServiceSettings


class QueryV1(Message):
    """A test query (not registered in the published catalogue)."""

    TYPE = "test.Query"
    VERSION = 1
    text: str


class Settings(ServiceSettings, PostgresSettings):
    """Settings of a test service."""


async def test_requests_in_flight_at_shutdown_still_reach_the_database(
    nats_url: str, postgres_url: str
) -> None:
    subject = f"test.{uuid.uuid4().hex[:8]}.query"
    settings = Settings(nats_url=nats_url, postgres_url=postgres_url, ops_port=None)
    caller = await Bus.connect(nats_url, "caller")
    entered = asyncio.Event()
    order: list[str] = []
    try:
        async with open_runtime("svc", settings, version="1.0.0", description="test") as runtime:
            pool = await runtime.open_postgres(settings)

            async def query(request: QueryV1, envelope: Envelope) -> Message:
                entered.set()
                await asyncio.sleep(0.5)  # SIGTERM arrives now
                async with pool.connection() as conn:
                    row = await (await conn.execute("SELECT upper(%s)", (request.text,))).fetchone()
                assert row is not None
                return QueryV1(text=row[0])

            async def worker_stopped() -> None:
                order.append(f"worker stopped, ready={(await runtime.health.report())[0]}")

            await runtime.bus.serve("query", subject, QueryV1, query)
            runtime.on_stop(worker_stopped)
            runtime.health.started = True
            in_flight = asyncio.create_task(caller.request(subject, QueryV1(text="olá"), QueryV1))
            await entered.wait()
        order.append(f"pool closed={pool.closed}")
        assert (await in_flight).text == "OLÁ", "the request in flight was answered with the database"
        assert order == ["worker stopped, ready=False", "pool closed=True"]
    finally:
        await caller.close()

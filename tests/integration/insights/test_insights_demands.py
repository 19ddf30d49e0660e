"""Recurring demands on real PostgreSQL and NATS: grouped in the background, counted per period, ids kept."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from support.history import NOISE, history

from contracts.insights import DemandsV1, GetDemandsV1
from contracts.subjects import GET_DEMANDS_V1
from devstack.nats import NatsServer
from devstack.procs import free_port
from insights.adapters import demands, store
from insights.config import Settings
from insights.entrypoints import demands as entry
from insights.entrypoints.demands import regroup
from plumbing import postgres
from plumbing.bus import Bus, RemoteError


@pytest.fixture
async def bus(tmp_path: Path) -> AsyncIterator[Bus]:
    server = NatsServer(port=free_port(), monitor_port=free_port(), store_dir=tmp_path / "nats")
    server.start()
    connected = await Bus.connect(server.url, "insights")
    try:
        yield connected
    finally:
        await connected.close()
        server.stop()


async def test_demands_are_the_planted_topics_counted_per_period_and_department_with_lasting_ids(
    bus: Bus, postgres_url: str
) -> None:
    # Four weeks of tickets and chats ending now, with known topics; the last two weeks are "the period".
    now = datetime.now(UTC)
    planted = history(4_000, seed=3, start=now - timedelta(days=28), days=28)
    async with postgres.open_pool(postgres_url) as pool:
        async with pool.connection() as conn:
            await store.ensure_schema(conn)
            await demands.ensure_schema(conn)
            await store.save_tickets(conn, planted.tickets)
            await store.save_chats(conn, planted.chats)
        await regroup(pool, window_days=90)()
        await entry.register(
            bus, pool, Settings(nats_url="nats://unused", postgres_url=postgres_url, timezone="UTC")
        )

        start = (now - timedelta(days=13)).date()
        period = f"{start.isoformat()}..{now.date().isoformat()}"
        answer: DemandsV1 = await bus.request(GET_DEMANDS_V1, GetDemandsV1(period=period), DemandsV1)
        assert answer.computed_at is not None and len(answer.demands) >= 10
        topics = Counter(t for t in planted.topics.values() if t != NOISE)
        biggest = answer.demands[0]
        # Each demand's typical members come from one planted topic, and every big topic has a demand.
        found: set[str] = set()
        for demand in answer.demands:
            seen = Counter(planted.topics[m.id] for m in demand.members)
            topic, hits = seen.most_common(1)[0]
            assert topic != NOISE and hits >= 0.8 * len(demand.members), (demand.terms, seen)
            found.add(topic)
        assert {t for t, n in topics.items() if n >= 40} <= found
        assert biggest.size >= biggest.tickets > 0 and biggest.size == biggest.tickets + biggest.chats
        assert all(d.previous_size > 0 for d in answer.demands[:5]), "the two weeks before count too"

        # An agent of one department sees only that department's share.
        only: DemandsV1 = await bus.request(
            GET_DEMANDS_V1, GetDemandsV1(period=period, departments=["Financeiro"]), DemandsV1
        )
        sizes: dict[str, Any] = {d.id: d.size for d in answer.demands}
        assert 0 < sum(d.size for d in only.demands) < sum(sizes.values())
        assert all(d.size <= sizes[d.id] for d in only.demands)

        # Grouped again (as the loop does every few minutes): the same demands keep their ids.
        await regroup(pool, window_days=90)()
        again: DemandsV1 = await bus.request(GET_DEMANDS_V1, GetDemandsV1(period=period), DemandsV1)
        assert {d.id for d in again.demands} == {d.id for d in answer.demands}

        with pytest.raises(RemoteError) as refused:
            await bus.request(GET_DEMANDS_V1, GetDemandsV1(period="ontem"), DemandsV1)
        assert (refused.value.code, refused.value.detail["errors"][0]["reason"]) == ("422", "period_invalid")

"""Recurring demands on real PostgreSQL and NATS: grouped, counted per period, ids kept, agents' decisions."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from support.history import NOISE, history

from contracts import Message
from contracts.insights import (
    DemandDecisionV1,
    DemandsV1,
    GetDemandsV1,
    MergeDemandV1,
    NameDemandV1,
    SendDemandToDevelopmentV1,
    SplitDemandV1,
    WithdrawDemandFromDevelopmentV1,
)
from contracts.subjects import (
    GET_DEMANDS_V1,
    MERGE_DEMAND_V1,
    NAME_DEMAND_V1,
    SEND_DEMAND_TO_DEVELOPMENT_V1,
    SPLIT_DEMAND_V1,
    WITHDRAW_DEMAND_FROM_DEVELOPMENT_V1,
)
from devstack.nats import NatsServer
from devstack.procs import free_port
from insights.adapters import demands, store
from insights.config import Settings
from insights.decisions.store import open_decisions
from insights.decisions.store import rebuild as rebuild_decisions
from insights.decisions.view import DecisionsView
from insights.entrypoints import decisions as decided
from insights.entrypoints import demands as entry
from insights.entrypoints.demands import regroup
from plumbing import postgres
from plumbing.bus import Bus, RemoteError
from plumbing.projection import Projector


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


async def test_agents_decisions_show_on_the_page_merges_fold_sizes_and_a_rebuild_gives_the_same(
    bus: Bus, postgres_url: str
) -> None:
    now = datetime.now(UTC)
    planted = history(1_500, seed=5, start=now - timedelta(days=28), days=28)
    period = f"{(now - timedelta(days=13)).date().isoformat()}..{now.date().isoformat()}"
    ana = {"by_agent_id": "a-1", "by_agent_name": "Ana"}
    async with postgres.open_pool(postgres_url) as pool, open_decisions(postgres_url) as app:
        async with pool.connection() as conn:
            await store.ensure_schema(conn)
            await demands.ensure_schema(conn)
            await store.save_tickets(conn, planted.tickets)
            await store.save_chats(conn, planted.chats)
        await regroup(pool, window_days=90)()
        settings = Settings(nats_url="nats://unused", postgres_url=postgres_url, timezone="UTC")
        await entry.register(bus, pool, settings)
        view = Projector(app, DecisionsView())
        await view.start()
        await decided.register(bus, pool, app, view.include)

        async def page() -> DemandsV1:
            answer: DemandsV1 = await bus.request(GET_DEMANDS_V1, GetDemandsV1(period=period), DemandsV1)
            return answer

        async def decide(subject: str, command: Message) -> DemandDecisionV1:
            answer: DemandDecisionV1 = await bus.request(subject, command, DemandDecisionV1)
            return answer

        try:
            before = await page()
            a, b, c = before.demands[:3]
            assert a.name is None and a.merged_from == [] and a.development is None and a.decisions == []
            tickets = {t.ticket_id: t for t in planted.tickets}
            shown = next(m for m in a.members if m.kind == "ticket")
            assert (shown.number, shown.title) == (tickets[shown.id].number, tickets[shown.id].subject[:120])

            named = await decide(
                NAME_DEMAND_V1, NameDemandV1(demand_id=a.id, name="  Boleto em atraso ", **ana)
            )
            assert named.name == "Boleto em atraso" and [d.kind for d in named.decisions] == ["named"]
            again = await decide(NAME_DEMAND_V1, NameDemandV1(demand_id=a.id, name="Boleto em atraso", **ana))
            assert again == named, "a redelivered command records nothing new"
            merged = await decide(MERGE_DEMAND_V1, MergeDemandV1(demand_id=b.id, into=a.id, **ana))
            assert merged.merged_into == a.id
            await decide(
                SEND_DEMAND_TO_DEVELOPMENT_V1,
                SendDemandToDevelopmentV1(demand_id=a.id, note="JIRA-123", **ana),
            )

            after = await page()
            shown_a = next(d for d in after.demands if d.id == a.id)
            assert b.id not in {d.id for d in after.demands}, "a merged demand is listed only in its target"
            assert (shown_a.size, shown_a.previous_size) == (
                a.size + b.size,
                a.previous_size + b.previous_size,
            )
            assert (shown_a.tickets, shown_a.chats) == (a.tickets + b.tickets, a.chats + b.chats)
            assert shown_a.name == "Boleto em atraso" and shown_a.merged_from == [b.id]
            assert shown_a.development is not None
            assert (shown_a.development.note, shown_a.development.by) == ("JIRA-123", "Ana")
            assert [(d.kind, d.other_id, d.by) for d in shown_a.decisions] == [
                ("named", None, "Ana"),
                ("merged", b.id, "Ana"),
                ("sent_to_development", None, "Ana"),
            ]
            assert {m.id for m in shown_a.members} & set(planted.topics) == {m.id for m in shown_a.members}

            refusals = [
                (
                    MERGE_DEMAND_V1,
                    MergeDemandV1(demand_id=c.id, into=b.id, **ana),
                    "409",
                    "demand_already_merged",
                ),
                (
                    MERGE_DEMAND_V1,
                    MergeDemandV1(demand_id=a.id, into=a.id, **ana),
                    "409",
                    "demand_merge_itself",
                ),
                (MERGE_DEMAND_V1, MergeDemandV1(demand_id=c.id, into="nope", **ana), "404", "demand_unknown"),
                (SPLIT_DEMAND_V1, SplitDemandV1(demand_id=c.id, **ana), "409", "demand_not_merged"),
                (
                    WITHDRAW_DEMAND_FROM_DEVELOPMENT_V1,
                    WithdrawDemandFromDevelopmentV1(demand_id=c.id, **ana),
                    "409",
                    "demand_not_sent",
                ),
                (NAME_DEMAND_V1, NameDemandV1(demand_id="nope", name="x", **ana), "404", "demand_unknown"),
            ]
            for subject, command, code, reason in refusals:
                with pytest.raises(RemoteError) as refused:
                    await decide(subject, command)
                assert (refused.value.code, refused.value.reason) == (code, reason)

            # The read model replayed from the events: the same page.
            applied, _ = await asyncio.to_thread(rebuild_decisions, postgres_url)
            assert applied == 6  # a: Started, Named, Absorbed, SentToDevelopment; b: Started, MergedInto
            assert (await page()).demands == after.demands

            split = await decide(SPLIT_DEMAND_V1, SplitDemandV1(demand_id=b.id, **ana))
            assert split.merged_into is None
            apart = {d.id: d for d in (await page()).demands}
            assert (apart[a.id].size, apart[b.id].size, apart[a.id].merged_from) == (a.size, b.size, [])
            assert [d.kind for d in apart[b.id].decisions] == ["merged", "split"]
        finally:
            await view.stop()


async def test_the_page_tells_never_grouped_from_grouped_with_nothing_to_show(
    bus: Bus, postgres_url: str
) -> None:
    async with postgres.open_pool(postgres_url) as pool:
        async with pool.connection() as conn:
            await store.ensure_schema(conn)
            await demands.ensure_schema(conn)
        await entry.register(
            bus, pool, Settings(nats_url="nats://unused", postgres_url=postgres_url, timezone="UTC")
        )
        month = GetDemandsV1(period=datetime.now(UTC).strftime("%Y-%m"))
        before: DemandsV1 = await bus.request(GET_DEMANDS_V1, month, DemandsV1)
        assert before.computed_at is None and before.demands == []
        await regroup(pool, window_days=90)()  # a new installation: no ticket or chat yet
        after: DemandsV1 = await bus.request(GET_DEMANDS_V1, month, DemandsV1)
        assert after.computed_at is not None and after.demands == [], "grouped, with nothing to group"

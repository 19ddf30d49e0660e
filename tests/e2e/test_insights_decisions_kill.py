"""kill -9 of insights mid-batch of its decisions view, for real: the view ends equal to a full rebuild.

Insights keeps agents' decisions on recurring demands as events in its own database and a read model
(``demand_decisions``) kept by the same ``Projector`` as the tickets and chat views. The process runs
with ``projection.mid_batch`` armed, so it dies by SIGKILL with a batch applied to the view's table and
its position not committed. Agents' decisions go through its real request-reply API; the ones the kill
caught are sent again (naming, merging and sending to development are idempotent). Restarted without
the point, the view holds each decision once and equals, row for row, what ``python -m insights
rebuild`` replays from the events.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from support import infra
from support.history import history
from support.replicas import Replica, launch
from support.waiting import eventually
from test_worst_moment_kills import armed, count, insist, killed_at, rows, snapshot, started, unarmed

from contracts.insights import (
    DemandDecisionV1,
    MergeDemandV1,
    NameDemandV1,
    SendDemandToDevelopmentV1,
)
from contracts.subjects import MERGE_DEMAND_V1, NAME_DEMAND_V1, SEND_DEMAND_TO_DEVELOPMENT_V1
from devstack.nats import NatsServer
from devstack.services import spec_named
from insights.adapters import demands, store
from plumbing.bus import Bus

pytestmark = pytest.mark.e2e
PAIRS = 4  # pairs of demands decided on side by side: batches then hold several saves' events
HIT = 6  # the crash point's hit to die on: about halfway through the 16 saves
EVENTS = "demanddecisions_events"  # the Decisions application's event table
POSITION = "SELECT position FROM projection_positions WHERE name = 'demand_decisions'"
RECORDED = f"SELECT max(notification_id) FROM {EVENTS}"  # noqa: S608 (a constant)
ANA = {"by_agent_id": "a-1", "by_agent_name": "Ana"}


async def plant_history(url: str) -> None:
    """300 tickets and chats over the last 4 weeks, for the service's first grouping (~17 demands)."""
    planted = history(300, seed=5, start=datetime.now(UTC) - timedelta(days=28), days=28)
    async with await psycopg.AsyncConnection.connect(url) as conn:
        await store.ensure_schema(conn)
        await demands.ensure_schema(conn)
        await store.save_tickets(conn, planted.tickets)
        await store.save_chats(conn, planted.chats)


async def decide_pair(bus: Bus, a: str, b: str, k: int) -> DemandDecisionV1:
    """Name both, send ``a`` to development, merge ``a`` into ``b``: 4 saves, 7 events."""
    await insist(
        bus, NAME_DEMAND_V1, NameDemandV1(demand_id=a, name=f"Demanda {k}a", **ANA), DemandDecisionV1
    )
    await insist(
        bus, NAME_DEMAND_V1, NameDemandV1(demand_id=b, name=f"Demanda {k}b", **ANA), DemandDecisionV1
    )
    sent = SendDemandToDevelopmentV1(demand_id=a, note=f"DEV-{k}", **ANA)
    await insist(bus, SEND_DEMAND_TO_DEVELOPMENT_V1, sent, DemandDecisionV1)
    merged = MergeDemandV1(demand_id=a, into=b, **ANA)
    return await insist(bus, MERGE_DEMAND_V1, merged, DemandDecisionV1)


def the_view(url: str) -> dict[str, tuple[object, ...]]:
    """Each decided demand's row: name, merged into, development note, version and history's kinds."""
    return {
        str(row[0]): row[1:]
        for row in rows(
            url,
            "SELECT id, name, merged_into, development_note, version,"
            " ARRAY(SELECT d->>'kind' FROM jsonb_array_elements(decisions) d) FROM demand_decisions",
        )
    }


async def test_insights_killed_mid_batch_of_its_decisions_view_ends_equal_to_a_full_rebuild(
    servers: infra.Session, own_nats: NatsServer, bus: Bus, tmp_path: Path, running: list[Replica]
) -> None:
    spec = spec_named("insights")
    database = servers.database(spec.module)
    await plant_history(database)
    insights = launch(
        spec, "insights", own_nats.url, database, tmp_path, env=armed(f"projection.mid_batch@{HIT}")
    )
    insights = await started(insights, running)
    await eventually(lambda: count(database, "SELECT count(*) FROM demands") >= 2 * PAIRS, what="demands")
    ids = sorted(str(i) for (i,) in rows(database, "SELECT id FROM demands"))[: 2 * PAIRS]
    pairs = [(ids[2 * k], ids[2 * k + 1]) for k in range(PAIRS)]
    deciding = asyncio.gather(*(decide_pair(bus, a, b, k) for k, (a, b) in enumerate(pairs)))
    await killed_at(insights, "projection.mid_batch")

    # The worst moment: decisions saved, a batch of them applied to the view but never committed.
    at_kill = (count(database, POSITION), count(database, RECORDED))
    assert at_kill[1] > at_kill[0], "events the killed batch held"
    decided = f"SELECT count(*) FROM {EVENTS} WHERE notification_id <= %s AND topic NOT LIKE %s"  # noqa: S608
    shown = "SELECT sum(jsonb_array_length(decisions)) FROM demand_decisions"
    assert count(database, shown) == count(database, decided, at_kill[0], "%.Started"), (
        "the batch rolled back"
    )
    print(f"insights: killed at position {at_kill[0]} with {at_kill[1] - at_kill[0]} event(s) past it")
    again = await unarmed(insights, running)
    merges = await deciding
    assert [m.merged_into for m in merges] == [b for _, b in pairs]

    # The saved position reaches the last id (ids skip those of saves the kill rolled back).
    await eventually(
        lambda: count(database, POSITION) == count(database, RECORDED),
        timeout=30,
        what="the view caught up and saved its position",
    )
    assert count(database, f"SELECT count(*) FROM {EVENTS}") == 7 * PAIRS, "every decision, once"  # noqa: S608
    # Each decision recorded once (a retry the kill caused recorded nothing), and in the view once.
    by_demand = f"SELECT count(*), max(originator_version) FROM {EVENTS} GROUP BY originator_id"  # noqa: S608
    events = rows(database, by_demand)
    assert sorted(events) == sorted([(4, 4), (3, 3)] * PAIRS), "4 events for each a, 3 for each b"
    expected: dict[str, tuple[object, ...]] = {}
    for k, (a, b) in enumerate(pairs):
        expected[a] = (f"Demanda {k}a", b, f"DEV-{k}", 4, ["named", "sent_to_development", "merged"])
        expected[b] = (f"Demanda {k}b", None, None, 3, ["named", "merged"])
    assert the_view(database) == expected, "each decision in the view exactly once"

    after_kill = snapshot(database, ("demand_decisions",))
    rebuilt = await asyncio.to_thread(again.command, "rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    # (The running service's projector may replay the dropped view before the command's own loop does.)
    assert snapshot(database, ("demand_decisions",)) == after_kill, "the view equals a full rebuild"
    assert count(database, POSITION) == count(database, RECORDED), "the rebuild saved the same position"

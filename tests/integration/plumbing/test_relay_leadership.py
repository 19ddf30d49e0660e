"""Two replicas' relays on one event store (real PostgreSQL and JetStream): one publishes at a time."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from support.waiting import eventually
from test_relay import Counter, Counters, published, stream_and_translate

from plumbing.bus import Bus
from plumbing.eventstore import postgres_env
from plumbing.leadership import Leadership
from plumbing.relay import Relay, positions_recorder


@pytest.fixture
def replicas(postgres_url: str) -> Iterator[tuple[Counters, Counters]]:
    """Two applications on one event store, as two replicas of a service have."""
    first, second = Counters(env=postgres_env(postgres_url)), Counters(env=postgres_env(postgres_url))
    yield first, second
    first.close()
    second.close()


def relay_of(bus: Bus, app: Counters, url: str, name: str, translate: object, poll_s: float) -> Relay:
    leadership = Leadership(url, f"relay:{name}")
    return Relay(bus, app, translate, positions_recorder(app), poll_s=poll_s, leadership=leadership)  # type: ignore[arg-type]


def save(app: Counters, relay: Relay, name: str, by: int) -> None:
    counter = Counter(name)
    counter.increment(by)
    app.save(counter)
    relay.nudge()


async def leader_then_follower(
    bus: Bus, replicas: tuple[Counters, Counters], url: str, translate: object, poll_s: float
) -> tuple[Relay, Relay]:
    """Two replicas' relays of one store: the first started takes the lock, the second stands by."""
    name = uuid.uuid4().hex
    first = relay_of(bus, replicas[0], url, name, translate, poll_s=poll_s)
    await first.start()
    await eventually(lambda: first.leading, what="the first relay leading")
    second = relay_of(bus, replicas[1], url, name, translate, poll_s=poll_s)
    await second.start()
    await eventually(lambda: second.leadership is not None and second.leadership.pid is not None)
    return first, second


async def test_one_relay_leads_a_follower_s_saves_reach_it_and_another_takes_over(
    bus: Bus, replicas: tuple[Counters, Counters], postgres_url: str
) -> None:
    stream, _, translate = stream_and_translate()
    await bus.ensure_streams([stream])
    one, two = replicas
    # A long poll: only a nudge can make the leader publish a follower's save within the test.
    first, second = await leader_then_follower(bus, replicas, postgres_url, translate, poll_s=60)
    assert not second.leading, "the lock was taken"

    save(two, second, "on-the-follower", 1)
    await eventually(lambda: first.position == 2, what="the follower's save published by the leader")
    assert second.position == 0, "the follower published nothing"

    await first.stop()  # a rolling restart: the leader lets go
    second.worker.nudge()  # its next poll, come early: it tries the lock again
    save(one, second, "after-the-hand-over", 2)
    await eventually(lambda: second.leading, what="the follower taking over")
    await eventually(lambda: second.position == 4, what="the new leader publishing from the saved position")
    await second.stop()
    values = [envelope.data["value"] for _, envelope in await published(bus, stream)]
    assert values == [1, 2], "nothing lost, nothing published twice"
    await bus.js.delete_stream(stream.name)


async def test_a_leader_whose_session_dies_is_replaced(
    bus: Bus, replicas: tuple[Counters, Counters], postgres_url: str
) -> None:
    stream, _, translate = stream_and_translate()
    await bus.ensure_streams([stream])
    first, second = await leader_then_follower(bus, replicas, postgres_url, translate, poll_s=0.1)
    assert first.leadership is not None and first.leadership.pid is not None
    # As if the leader's machine vanished: the server ends its session, and with it the lock.
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (first.leadership.pid,))
    await first.worker.stop()  # a dead process does not come back for the lock
    save(replicas[1], second, "after-the-crash", 5)
    await eventually(lambda: second.leading, what="the follower taking over")
    await eventually(lambda: second.position == 2)
    await second.stop()
    await first.stop()
    assert [envelope.data["value"] for _, envelope in await published(bus, stream)] == [5]
    await bus.js.delete_stream(stream.name)

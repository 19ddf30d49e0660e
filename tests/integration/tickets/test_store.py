"""The tickets service layer on its real PostgreSQL event store."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest

from plumbing.eventstore import postgres_env
from tickets.adapters.numbers import FIRST_NUMBER, PostgresNumbers
from tickets.application import StaleVersion, Tickets
from tickets.domain.status import Status

T = TypeVar("T")


@pytest.fixture
def store(postgres_url: str) -> Iterator[Callable[[], Tickets]]:
    """Opens as many application instances (think replicas) on one database as a test wants."""
    opened: list[Tickets] = []
    numbers: list[PostgresNumbers] = []

    def replica() -> Tickets:
        numbers.append(PostgresNumbers(postgres_url))
        opened.append(Tickets(numbers[-1], env=postgres_env(postgres_url)))
        return opened[-1]

    yield replica
    for app in opened:
        app.close()
    for source in numbers:
        source.close()


def together(*calls: Callable[[], T]) -> list[T | BaseException]:
    """Run the calls at the same moment in threads; each result or the exception it raised."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], T]) -> T | BaseException:
        barrier.wait()
        try:
            return call()
        except Exception as exc:
            return exc

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def fields(**overrides: Any) -> dict[str, Any]:
    return {
        "channel": "email",
        "customer_email": "maria@example.com",
        "customer_name": "Maria",
        "subject": "Boleto",
        "body": "Segunda via, por favor",
        "department": "financeiro",
    } | overrides


def test_the_same_request_on_two_replicas_opens_one_ticket(store: Callable[[], Tickets]) -> None:
    first, second = store(), store()
    results = together(
        lambda: first.open("email:<x@y>", **fields()), lambda: second.open("email:<x@y>", **fields())
    )
    tickets = [result for result in results if not isinstance(result, BaseException)]
    assert len(tickets) == 2, results
    assert tickets[0].id == tickets[1].id
    assert tickets[0].number == tickets[1].number
    assert len(first.recorder.select_notifications(start=1, limit=10)) == 1, "one Opened event"


def test_two_agents_at_the_same_version_one_wins_the_other_gets_the_current_state(
    store: Callable[[], Tickets],
) -> None:
    ana_app, bruno_app = store(), store()
    ticket = ana_app.open("portal:1", **fields())
    version = ticket.version
    results = together(
        lambda: ana_app.start_work(ticket.id, version, "ana"),
        lambda: bruno_app.assign(ticket.id, version, agent="bruno", by="bruno"),
    )
    losers = [result for result in results if isinstance(result, StaleVersion)]
    winners = [result for result in results if not isinstance(result, BaseException)]
    assert (len(winners), len(losers)) == (1, 1), results
    assert losers[0].current.version == version + 1
    final = store().get(ticket.id)
    assert final.version == version + 1, "exactly one change landed: no lost update"


def test_a_ticket_is_rebuilt_from_its_events_by_a_fresh_process(store: Callable[[], Tickets]) -> None:
    writer = store()
    ticket = writer.open("portal:2", **fields())
    ticket = writer.start_work(ticket.id, ticket.version, "ana")
    for index in range(55):
        ticket = writer.add_note(ticket.id, ticket.version, note_id=f"n{index}", agent="ana", body="…")
    ticket = writer.reply(
        ticket.id,
        ticket.version,
        reply_id="r1",
        author_kind="agent",
        author="ana",
        body="Pronto",
        channel="portal",
    )
    reader = store()
    again = reader.get(ticket.id)
    assert (again.status, again.version, again.replies, again.number) == (
        Status.AWAITING_CUSTOMER,
        ticket.version,
        1,
        ticket.number,
    )
    assert again.opened_at == ticket.opened_at
    assert reader.snapshots is not None
    assert [s.originator_version for s in reader.snapshots.get(ticket.id)] == [50]


def test_numbers_are_unique_across_replicas_and_never_reused(store: Callable[[], Tickets]) -> None:
    replicas = [store() for _ in range(4)]
    results = together(
        *(
            (lambda app=app, index=index: app.open(f"portal:n{index}", **fields()))
            for index, app in enumerate(replicas * 3)
        )
    )
    numbers = sorted(result.number for result in results if not isinstance(result, BaseException))
    assert len(numbers) == 12
    assert len(set(numbers)) == 12
    assert numbers[0] >= FIRST_NUMBER

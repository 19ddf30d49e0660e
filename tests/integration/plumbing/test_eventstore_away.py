"""The event store while PostgreSQL is down: reads and saves fail within seconds, then work again."""

from __future__ import annotations

import time
from typing import Any

import pytest
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from support.own_postgres import restartable_postgres

from devstack.postgres import ensure_database
from plumbing.errors import DATABASE_AWAY
from plumbing.eventstore import postgres_env

# The library retries ten times, each waiting up to the pool's checkout time (6 s and more here); a
# request must fail well inside the gateway's 5 s wait for a service's answer.
FAILS_WITHIN_S = 4


class Note(Aggregate):
    """A test aggregate."""

    @event("Written")
    def __init__(self, text: str) -> None:
        self.text = text


class Notes(Application[Any]):
    """A test application."""

    name = "Notes"


def test_reads_and_saves_fail_at_once_while_postgresql_is_down_and_work_when_it_is_back() -> None:
    with restartable_postgres() as server:
        app = Notes(env=postgres_env(ensure_database(server.url, "away")))
        try:
            note = Note("antes")
            app.save(note)

            def read() -> object:
                return app.repository.get(note.id)

            def save() -> object:
                return app.save(Note("durante"))

            server.stop("immediate")
            for work in (read, save):
                began = time.monotonic()
                with pytest.raises(DATABASE_AWAY):
                    work()
                assert time.monotonic() - began < FAILS_WITHIN_S
            server.start()
            # No restart of anything: the pooled connections the crash broke are retried and replaced.
            app.save(Note("depois"))
            found: object = app.repository.get(note.id)
            assert isinstance(found, Note) and found.text == "antes"
        finally:
            app.close()

"""Fixtures for the tickets service layer on in-memory persistence."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.fakes import Clock, Counter

from tickets.application import Tickets


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(clock: Clock) -> Iterator[Tickets]:
    application = Tickets(Counter(), env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=clock)
    yield application
    application.close()

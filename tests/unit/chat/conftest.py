"""Fixtures for the chat domain and service layer (in-memory persistence, a hand-moved clock)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.fakes import Clock

from chat.application import Conversations


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(clock: Clock) -> Iterator[Conversations]:
    application = Conversations(
        env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=clock, snapshot_every=5
    )
    yield application
    application.close()

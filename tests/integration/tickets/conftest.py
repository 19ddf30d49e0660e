"""Fixtures for the tickets read models on real PostgreSQL: the service layer, the views, their queries."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from support.fakes import Clock, Counter

from plumbing.eventstore import postgres_env
from plumbing.postgres import open_pool
from plumbing.projection import Projector
from tickets.application import Tickets
from tickets.views.projection import TicketViews
from tickets.views.queries import TicketQueries


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(postgres_url: str, clock: Clock) -> Iterator[Tickets]:
    tickets = Tickets(Counter(), env=postgres_env(postgres_url), clock=clock)
    yield tickets
    tickets.close()


@pytest.fixture
def views(app: Tickets) -> Projector:
    projector = Projector(app, TicketViews(), batch=7)  # small batches: tickets span several
    projector.create()
    return projector


@pytest.fixture
async def queries(postgres_url: str) -> AsyncIterator[TicketQueries]:
    async with open_pool(postgres_url, max_size=2) as pool:
        yield TicketQueries(pool)

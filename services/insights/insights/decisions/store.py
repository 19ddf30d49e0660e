"""Opens the decisions application on insights' own PostgreSQL database, and rebuilds its read model."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from insights.decisions.application import Decisions
from insights.decisions.view import DecisionsView
from plumbing.eventstore import postgres_env
from plumbing.projection import Projector


@asynccontextmanager
async def open_decisions(postgres_url: str) -> AsyncIterator[Decisions]:
    """The application, its event table created if missing; closed on exit (eventsourcing is synchronous)."""
    app = await asyncio.to_thread(Decisions, postgres_env(postgres_url))
    try:
        yield app
    finally:
        await asyncio.to_thread(app.close)


def rebuild(postgres_url: str) -> tuple[int, float]:
    """Drop the decisions read model and replay every decision into it; returns (events, seconds)."""
    app = Decisions(postgres_env(postgres_url))
    try:
        return Projector(app, DecisionsView()).rebuild()
    finally:
        app.close()

"""Drop the tickets read models and replay every event into them (``python -m tickets rebuild-views``)."""

from __future__ import annotations

from plumbing.eventstore import postgres_env
from plumbing.projection import Projector
from tickets.application import Tickets
from tickets.views.projection import TicketViews


class _NoNumbers:
    """A rebuild only reads events: it never opens a ticket, so it never needs a number."""

    def take(self, count: int) -> list[int]:
        raise RuntimeError("a rebuild opens no tickets")


def rebuild(postgres_url: str, batch: int = 1000) -> tuple[int, float]:
    """Rebuild every view from the event store; returns (events applied, seconds)."""
    app = Tickets(_NoNumbers(), env=postgres_env(postgres_url))
    try:
        return Projector(app, TicketViews(), batch=batch).rebuild()
    finally:
        app.close()

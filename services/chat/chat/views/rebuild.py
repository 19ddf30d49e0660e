"""Drop the chat read models and replay every event into them (``python -m chat rebuild-views``)."""

from __future__ import annotations

from chat.application import Conversations
from chat.views.projection import ChatViews
from plumbing.eventstore import postgres_env
from plumbing.projection import Projector


def rebuild(postgres_url: str, batch: int = 1000) -> tuple[int, float]:
    """Rebuild the views from the event store; returns (events applied, seconds)."""
    app = Conversations(env=postgres_env(postgres_url))
    try:
        return Projector(app, ChatViews(), batch=batch).rebuild()
    finally:
        app.close()

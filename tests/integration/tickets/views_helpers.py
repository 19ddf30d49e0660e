"""Helpers for the tickets read-model tests: open a ticket, step the views, read their rows back."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg

from plumbing.projection import Projector
from tickets.application import Tickets
from tickets.views.projection import TicketViews


def catch_up(views: Projector) -> None:
    while views.step():
        pass


def open_ticket(app: Tickets, request: str, email: str, subject: str, **extra: Any) -> Any:
    fields: dict[str, Any] = {"channel": "portal", "department": "Suporte", "body": "Olá"} | extra
    return app.open(request, customer_email=email, customer_name="Cliente", subject=subject, **fields)


class Failing(TicketViews):
    """A view that fails on the n-th batch, after writing some of it: in Python, or in PostgreSQL."""

    def __init__(self, fail_on: int, in_postgresql: bool = False) -> None:
        self.batches = 0
        self.fail_on = fail_on
        self.in_postgresql = in_postgresql

    def apply(self, cursor: psycopg.Cursor[Any], events: Sequence[Any]) -> None:
        self.batches += 1
        super().apply(cursor, events)
        if self.batches == self.fail_on and self.in_postgresql:
            cursor.execute("SELECT 1 / 0")
        elif self.batches == self.fail_on:
            raise RuntimeError("crash mid-batch")


def view_rows(postgres_url: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    with psycopg.connect(postgres_url) as conn:
        summary = conn.execute("SELECT * FROM ticket_summary ORDER BY number").fetchall()
        history = conn.execute("SELECT * FROM ticket_history ORDER BY ticket_id, version").fetchall()
    return summary, history


def saved_position(postgres_url: str) -> int:
    with psycopg.connect(postgres_url) as conn:
        row = conn.execute("SELECT position FROM projection_positions WHERE name = 'tickets'").fetchone()
    assert row is not None
    return int(row[0])

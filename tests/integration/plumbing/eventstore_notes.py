"""A small test aggregate and application for the event store's tests."""

from __future__ import annotations

from typing import Any

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event


class Note(Aggregate):
    """A test aggregate."""

    @event("Written")
    def __init__(self, text: str) -> None:
        self.text = text

    @event("Amended")
    def amend(self, text: str) -> None:
        self.text = text


class Notes(Application[Any]):
    """A test application that snapshots every 2 events."""

    name = "Notes"
    snapshotting_intervals = {Note: 2}  # noqa: RUF012 (the library reads a class attribute)

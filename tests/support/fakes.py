"""Hand-written stand-ins for unit tests of the domain and service layers."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime


class Counter:
    """In-memory stand-in for the PostgreSQL sequence of ticket numbers."""

    def __init__(self, first: int = 1000) -> None:
        self._numbers = itertools.count(first)

    def take(self, count: int) -> list[int]:
        return [next(self._numbers) for _ in range(count)]


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

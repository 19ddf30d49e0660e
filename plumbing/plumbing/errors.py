"""Errors that cross a request-reply boundary: a stable code, a message and the offending fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import eventsourcing.persistence
import psycopg


@dataclass
class ServiceError(Exception):
    """A refusal a caller can act on. ``code`` is an HTTP-like status (e.g. "404", "409", "422")."""

    code: str
    reason: str
    detail: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.code} {self.reason}"


class NotFound(ServiceError):
    """The thing does not exist (or the caller may not know it does)."""

    def __init__(self, reason: str = "not_found", **detail: Any) -> None:
        super().__init__("404", reason, detail)


class Conflict(ServiceError):
    """The request clashes with the current state (e.g. a stale version)."""

    def __init__(self, reason: str = "conflict", **detail: Any) -> None:
        super().__init__("409", reason, detail)


class Invalid(ServiceError):
    """The request is malformed; ``detail`` names the fields and why."""

    def __init__(self, reason: str = "invalid", **detail: Any) -> None:
        super().__init__("422", reason, detail)


class Unavailable(ServiceError):
    """A dependency is down; the caller may retry later."""

    def __init__(self, reason: str = "unavailable", **detail: Any) -> None:
        super().__init__("503", reason, detail)


# A database connection that broke (server restarting, network gone): the request may be retried.
DATABASE_AWAY: tuple[type[Exception], ...] = (
    psycopg.OperationalError,
    eventsourcing.persistence.OperationalError,
    eventsourcing.persistence.InterfaceError,
)

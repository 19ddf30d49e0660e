"""How figures are split: for the whole team, per department or per agent, and who an agent's work is."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal, TypeVar

from insights.domain.records import TicketRecord

By = Literal["overall", "department", "agent"]

T = TypeVar("T")


def owner(ticket: TicketRecord) -> str | None:
    """The agent a ticket's outcome counts for: its assignee, else the agent who answered it first."""
    return ticket.assignee or ticket.first_responder


def ticket_keys(by: By) -> tuple[Callable[[TicketRecord], str | None], Callable[[TicketRecord], str | None]]:
    """Where a ticket's first response counts and where the rest of it counts (key None: everyone/nobody).

    Per agent, the first response belongs to the agent who gave it; being opened, finished, resolved,
    unanswered or in the backlog belongs to the ticket's owner (see ``owner``).
    """
    if by == "agent":
        return (lambda ticket: ticket.first_responder), owner
    if by == "department":
        return (lambda ticket: ticket.department), (lambda ticket: ticket.department)
    return (lambda _: None), (lambda _: None)


def in_order(groups: Mapping[str | None, T]) -> list[tuple[str | None, T]]:
    """The groups by key, the one without a key (no department, no agent) last."""
    return sorted(groups.items(), key=lambda item: (item[0] is None, item[0] or ""))

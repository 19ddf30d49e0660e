"""The decisions' service layer: an eventsourcing Application over the DemandDecisions aggregate."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, Recording

from insights.domain.decisions import DemandDecisions, decisions_id

RETRIES = 5  # a save that loses a version race is decided again on what the other one saved


class Saves(threading.local):
    """The notification id of the calling thread's last save (for read-your-writes waits)."""

    position: int | None = None


class Decisions(Application[UUID]):
    """Names, merges, splits and sends demands to development; each decision an event."""

    name = "DemandDecisions"

    def __init__(
        self, env: Mapping[str, str] | None = None, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        super().__init__(env)
        self.clock = clock
        self.saves = Saves()

    def of(self, demand_id: str) -> DemandDecisions:
        """A demand's decisions as they are now (a fresh, unsaved one if none was ever made)."""
        return self._find(demand_id) or DemandDecisions(demand_id=demand_id)

    def rename(self, demand_id: str, name: str | None, by_id: str, by_name: str) -> DemandDecisions:
        """Name the demand (blank: clear its name)."""
        return self._deciding(demand_id, lambda d: d.rename(name, by_id, by_name, self.clock()))

    def merge(self, demand_id: str, into: str, by_id: str, by_name: str) -> DemandDecisions:
        """Merge the demand into ``into``; returns the merged demand's decisions."""

        def decide(merged: DemandDecisions) -> list[DemandDecisions]:
            target = self.of(into) if into != demand_id else merged
            merged.merge_into(target, by_id, by_name, self.clock())
            return [merged, target]

        return self._deciding(demand_id, decide)

    def split(self, demand_id: str, by_id: str, by_name: str) -> DemandDecisions:
        """Split the demand back out of the one it was merged into."""

        def decide(merged: DemandDecisions) -> list[DemandDecisions]:
            target = self._find(merged.merged_into) if merged.merged_into else None
            merged.split(target, by_id, by_name, self.clock())
            return [merged] if target is None else [merged, target]

        return self._deciding(demand_id, decide)

    def send_to_development(self, demand_id: str, note: str, by_id: str, by_name: str) -> DemandDecisions:
        """Hand the demand to the development team with a note."""
        return self._deciding(demand_id, lambda d: d.send_to_development(note, by_id, by_name, self.clock()))

    def withdraw_from_development(self, demand_id: str, by_id: str, by_name: str) -> DemandDecisions:
        """Take the demand back from the development team."""
        return self._deciding(demand_id, lambda d: d.withdraw_from_development(by_id, by_name, self.clock()))

    def _deciding(
        self, demand_id: str, decide: Callable[[DemandDecisions], Sequence[DemandDecisions] | None]
    ) -> DemandDecisions:
        """Load, decide, save what changed (nothing for a no-op); after a lost race, decide again."""
        # ``decide`` returns the aggregates it touched (None: only the one it was given).
        for attempt in range(RETRIES):
            current = self.of(demand_id)
            touched = decide(current) or [current]
            # A no-op records nothing; a brand-new aggregate with no decision is not saved either.
            changed = [d for d in touched if d.decided and d.pending_events]
            if not changed:
                return current
            try:
                self.save(*changed)
            except IntegrityError:
                if attempt == RETRIES - 1:
                    raise
                continue
            return current
        raise AssertionError("unreachable")

    def _notify(self, recordings: Sequence[Recording[UUID]]) -> None:
        # Called by eventsourcing after every save, in the saving thread.
        if recordings:
            self.saves.position = recordings[-1].notification.id

    def _find(self, demand_id: str) -> DemandDecisions | None:
        try:
            found: Any = self.repository.get(decisions_id(demand_id))
        except AggregateNotFoundError:
            return None
        assert isinstance(found, DemandDecisions)
        return found

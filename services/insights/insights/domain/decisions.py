"""Agents' decisions on a recurring demand: its name, a merge into another, and "sent to development".

One aggregate per demand id (the grouping's lasting id), created by the first decision on it. A merge
touches two aggregates: the merged demand records ``MergedInto`` and its target ``Absorbed``, saved
together, so that the target knows what was merged into it and the no-chains rule holds under races
(two saves on one aggregate version: one of them fails). A decision that changes nothing records
nothing, so a retried request is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

NAME_MAX, NOTE_MAX = 120, 2000
_NAMESPACE = uuid5(NAMESPACE_URL, "https://atende.dev/insights/demands")
Kind = Literal["named", "merged", "split", "sent_to_development", "development_withdrawn"]


class Refused(Exception):
    """A decision the rules do not allow; ``reason`` is the API's reason code."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Decision:
    """One entry of a demand's history, as the page shows it."""

    kind: Kind
    by_id: str
    by_name: str
    at: datetime
    name: str | None = None
    other_id: str | None = None  # merged/split: the other demand of the pair
    note: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The entry as the read model keeps it (and the wire carries it)."""
        return {
            "kind": self.kind,
            "by": self.by_name,
            "by_id": self.by_id,
            "at": self.at.isoformat(),
            "name": self.name,
            "other_id": self.other_id,
            "note": self.note,
        }


@dataclass(frozen=True)
class Development:
    """The demand was handed to the development team, with a note (a ticket key, a link)."""

    note: str
    by_id: str
    by_name: str
    at: datetime


def decisions_id(demand_id: str) -> UUID:
    """The aggregate id of a demand's decisions."""
    return uuid5(_NAMESPACE, demand_id)


def clean_name(name: str | None) -> str | None:
    """A name as kept: trimmed, None when empty; refused past NAME_MAX characters."""
    cleaned = " ".join((name or "").split())
    if len(cleaned) > NAME_MAX:
        raise Refused("demand_name_too_long")
    return cleaned or None


def clean_note(note: str) -> str:
    """A development note as kept: trimmed, 1 to NOTE_MAX characters."""
    cleaned = note.strip()
    if not cleaned:
        raise Refused("demand_note_blank")
    if len(cleaned) > NOTE_MAX:
        raise Refused("demand_note_too_long")
    return cleaned


class DemandDecisions(Aggregate):
    """What agents decided about one demand, and the history of those decisions."""

    class Started(Aggregate.Created):
        """The first decision on a demand is about to be recorded."""

        demand_id: str

    class Named(Aggregate.Event):
        """An agent named the demand (``name`` None: the name was cleared)."""

        name: str | None
        by_id: str
        by_name: str
        at: datetime

    class MergedInto(Aggregate.Event):
        """An agent merged this demand into ``other_id``: its tickets and chats count there now."""

        other_id: str
        by_id: str
        by_name: str
        at: datetime

    class Split(Aggregate.Event):
        """An agent split this demand back out of ``other_id``."""

        other_id: str
        by_id: str
        by_name: str
        at: datetime

    class Absorbed(Aggregate.Event):
        """``other_id`` was merged into this demand (its target's side of ``MergedInto``)."""

        other_id: str
        by_id: str
        by_name: str
        at: datetime

    class Released(Aggregate.Event):
        """``other_id`` was split back out of this demand (its target's side of ``Split``)."""

        other_id: str
        by_id: str
        by_name: str
        at: datetime

    class SentToDevelopment(Aggregate.Event):
        """An agent sent the demand to the development team (again, with a new note)."""

        note: str
        by_id: str
        by_name: str
        at: datetime

    class DevelopmentWithdrawn(Aggregate.Event):
        """An agent took the demand back from the development team."""

        by_id: str
        by_name: str
        at: datetime

    @staticmethod
    def create_id(demand_id: str, **_: Any) -> UUID:
        """One aggregate per demand id."""
        return decisions_id(demand_id)

    @event(Started)
    def __init__(self, demand_id: str) -> None:
        self.demand_id = demand_id
        self.name: str | None = None
        self.merged_into: str | None = None
        self.merged_from: list[str] = []
        self.development: Development | None = None
        self.decisions: list[Decision] = []

    # Commands: each checks the rules, then records what happened (or nothing, if nothing changes).

    def rename(self, name: str | None, by_id: str, by_name: str, at: datetime) -> None:
        """Give the demand a name (None or blank: clear it)."""
        cleaned = clean_name(name)
        if cleaned != self.name:
            self._named(cleaned, by_id, by_name, at)

    def merge_into(self, target: DemandDecisions, by_id: str, by_name: str, at: datetime) -> None:
        """Merge this demand into ``target`` (both record it; the caller saves both)."""
        if target.demand_id == self.demand_id:
            raise Refused("demand_merge_itself")
        if self.merged_into == target.demand_id:
            return  # done already: a retry
        # No chains: neither a merged demand nor one others are merged into may be merged; nor may a
        # merged demand be the target.
        if self.merged_into is not None or self.merged_from or target.merged_into is not None:
            raise Refused("demand_already_merged")
        self._merged_into(target.demand_id, by_id, by_name, at)
        target._absorbed(self.demand_id, by_id, by_name, at)

    def split(self, target: DemandDecisions | None, by_id: str, by_name: str, at: datetime) -> None:
        """Split this demand back out of the one it was merged into (``target``: that one's decisions)."""
        if self.merged_into is None:
            raise Refused("demand_not_merged")
        self._split(self.merged_into, by_id, by_name, at)
        if target is not None and self.demand_id in target.merged_from:
            target._released(self.demand_id, by_id, by_name, at)

    def send_to_development(self, note: str, by_id: str, by_name: str, at: datetime) -> None:
        """Hand the demand to the development team with a note (a new note replaces the old one)."""
        cleaned = clean_note(note)
        if self.development is None or self.development.note != cleaned:
            self._sent(cleaned, by_id, by_name, at)

    def withdraw_from_development(self, by_id: str, by_name: str, at: datetime) -> None:
        """Take the demand back from the development team."""
        if self.development is None:
            raise Refused("demand_not_sent")
        self._withdrawn(by_id, by_name, at)

    @property
    def decided(self) -> bool:
        """Whether anything was ever decided (a new aggregate with only ``Started`` was not)."""
        return bool(self.decisions)

    # Events: their bodies only apply what was decided above (they also run on replay).

    @event(Named)
    def _named(self, name: str | None, by_id: str, by_name: str, at: datetime) -> None:
        self.name = name
        self.decisions.append(Decision("named", by_id, by_name, at, name=name))

    @event(MergedInto)
    def _merged_into(self, other_id: str, by_id: str, by_name: str, at: datetime) -> None:
        self.merged_into = other_id
        self.decisions.append(Decision("merged", by_id, by_name, at, other_id=other_id))

    @event(Split)
    def _split(self, other_id: str, by_id: str, by_name: str, at: datetime) -> None:
        self.merged_into = None
        self.decisions.append(Decision("split", by_id, by_name, at, other_id=other_id))

    @event(Absorbed)
    def _absorbed(self, other_id: str, by_id: str, by_name: str, at: datetime) -> None:
        self.merged_from.append(other_id)
        self.decisions.append(Decision("merged", by_id, by_name, at, other_id=other_id))

    @event(Released)
    def _released(self, other_id: str, by_id: str, by_name: str, at: datetime) -> None:
        self.merged_from.remove(other_id)
        self.decisions.append(Decision("split", by_id, by_name, at, other_id=other_id))

    @event(SentToDevelopment)
    def _sent(self, note: str, by_id: str, by_name: str, at: datetime) -> None:
        self.development = Development(note, by_id, by_name, at)
        self.decisions.append(Decision("sent_to_development", by_id, by_name, at, note=note))

    @event(DevelopmentWithdrawn)
    def _withdrawn(self, by_id: str, by_name: str, at: datetime) -> None:
        self.development = None
        self.decisions.append(Decision("development_withdrawn", by_id, by_name, at))


def decision_of(domain_event: object) -> Decision | None:
    """The history entry a stored event stands for (None: ``Started``, which is no decision)."""
    e: Any = domain_event
    match domain_event:
        case DemandDecisions.Named():
            return Decision("named", e.by_id, e.by_name, e.at, name=e.name)
        case DemandDecisions.MergedInto() | DemandDecisions.Absorbed():
            return Decision("merged", e.by_id, e.by_name, e.at, other_id=e.other_id)
        case DemandDecisions.Split() | DemandDecisions.Released():
            return Decision("split", e.by_id, e.by_name, e.at, other_id=e.other_id)
        case DemandDecisions.SentToDevelopment():
            return Decision("sent_to_development", e.by_id, e.by_name, e.at, note=e.note)
        case DemandDecisions.DevelopmentWithdrawn():
            return Decision("development_withdrawn", e.by_id, e.by_name, e.at)
    return None

"""Each group's size now against the previous period's, both placed by the same rule."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from insights.grouping.clustering import Grouping
from insights.grouping.documents import Document


@dataclass(frozen=True)
class Trend:
    """How many documents a group holds now and how many of the previous period's it would have held."""

    key: str
    now: int
    before: int

    @property
    def change(self) -> float | None:
        """The relative change (0.5: half as many again), None when there was nothing before."""
        return (self.now - self.before) / self.before if self.before else None


def trend(grouping: Grouping, previous: Sequence[Document]) -> list[Trend]:
    """Each group of ``grouping`` (``OTHER`` too) with its size now and in the ``previous`` documents.

    The previous period's documents join the current groups by the very rule that made them, so both
    counts measure the same demand; no matching of two separate groupings is needed.
    """
    before = Counter(grouping.assign(previous).values())
    return [Trend(g.key, g.size, before[g.key]) for g in grouping.groups]

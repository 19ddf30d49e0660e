"""A group keeps its id across recomputations, so agents' decisions on it (name, merge, sent) stay with it.

The rule, for the groups stored last time (``Known``) and those just computed:

1. A stored group and a new one are the same demand when at least half of the smaller one's members are
   in both, or — when their documents no longer overlap (another period) — half of the smaller one's
   terms are.
2. Pairs are settled one to one, the most alike first: by the Jaccard index of their members, then of
   their terms (then by id and key, so the result never depends on order). A new group keeps the id of
   the stored group it is settled with.
3. A stored group left without a partner is ``absorbed`` by the new group holding at least half of its
   members (two demands the grouping now sees as one: its decisions can move there), or else ``gone``.
4. A new group left without a partner is ``new``: the caller gives it an id.

``OTHER`` is never matched: it is no demand.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from insights.grouping.describe import OTHER, Group

SAME = 0.5  # the share of the smaller group's members (or terms) both must hold


class Known(NamedTuple):
    """A group as stored after an earlier computation."""

    id: str
    terms: Sequence[str]
    members: Collection[str]


@dataclass(frozen=True)
class Matching:
    """Which stored id each new group keeps, and what became of the stored groups without a partner."""

    kept: dict[str, str]  # new group key → the id it keeps
    new: tuple[str, ...]  # new group keys that match no stored group
    absorbed: dict[str, str]  # stored id → the new group key now holding most of its members
    gone: tuple[str, ...]  # stored ids with no successor


def match(
    previous: Iterable[Known | tuple[str, Sequence[str], Collection[str]]], current: Sequence[Group]
) -> Matching:
    """Settle the stored groups' ids on the new groups (see the module's docstring for the rule)."""
    stored = [Known(*known) for known in previous]
    groups = [g for g in current if g.key != OTHER]
    owner = {member: g.key for g in groups for member in g.members}
    shared = {known.id: Counter(owner[m] for m in known.members if m in owner) for known in stored}
    pairs = []
    for known in stored:
        for g in groups:
            likeness = _likeness(known, g, shared[known.id][g.key])
            if likeness is not None:
                pairs.append((-likeness[0], -likeness[1], known.id, g.key))
    kept: dict[str, str] = {}
    for *_, known_id, key in sorted(pairs):
        if key not in kept and known_id not in kept.values():
            kept[key] = known_id
    absorbed, gone = {}, []
    for known in stored:
        if known.id in kept.values():
            continue
        holder = max(shared[known.id].items(), key=lambda item: (item[1], item[0]), default=None)
        if holder and holder[1] >= SAME * len(known.members):
            absorbed[known.id] = holder[0]
        else:
            gone.append(known.id)
    return Matching(kept, tuple(g.key for g in groups if g.key not in kept), absorbed, tuple(gone))


def _likeness(known: Known, group: Group, both: int) -> tuple[float, float] | None:
    """The Jaccard indices of their members and of their terms, or None if they are not the same demand."""
    terms = set(known.terms)
    alike = len(terms.intersection(group.terms))
    if both:
        same = both >= SAME * min(len(known.members), group.size)
    else:
        same = alike >= SAME * min(len(terms), len(group.terms)) > 0
    if not same:
        return None
    return both / (len(known.members) + group.size - both), alike / len(terms.union(group.terms))

"""The decisions read model: one row per demand anyone decided on, kept by a projection of the events.

``plumbing.projection.Projector`` applies each batch and saves its position in the same transaction,
so the table never misses nor repeats an event, and ``python -m insights rebuild`` replays it from zero.
Decisions are few (people make them), so each event is one pipelined statement.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from psycopg import Cursor

from insights.domain.decisions import DemandDecisions, decision_of

SCHEMA = """
CREATE TABLE IF NOT EXISTS demand_decisions (
    id text PRIMARY KEY,
    aggregate_id uuid NOT NULL UNIQUE,
    name text,
    merged_into text,
    development_note text,
    development_by text,
    development_at timestamptz,
    decisions jsonb NOT NULL DEFAULT '[]',
    version integer NOT NULL
);
CREATE INDEX IF NOT EXISTS demand_decisions_merged ON demand_decisions (merged_into)
    WHERE merged_into IS NOT NULL;
"""
_STARTED = """
INSERT INTO demand_decisions (id, aggregate_id, version) VALUES (%(id)s, %(aggregate_id)s, %(version)s)
ON CONFLICT DO NOTHING
"""
# Each decision appends its history entry and sets what it changes; ``version`` skips a repeated event.
_DECIDED = """
UPDATE demand_decisions SET
    version = %(version)s,
    decisions = decisions || %(entry)s::jsonb,
    name = CASE WHEN %(sets_name)s THEN %(name)s ELSE name END,
    merged_into = CASE WHEN %(sets_merge)s THEN %(merged_into)s ELSE merged_into END,
    development_note = CASE WHEN %(sets_development)s THEN %(note)s ELSE development_note END,
    development_by = CASE WHEN %(sets_development)s THEN %(by)s ELSE development_by END,
    development_at = CASE WHEN %(sets_development)s THEN %(at)s::timestamptz ELSE development_at END
WHERE aggregate_id = %(aggregate_id)s AND version < %(version)s
"""


class DecisionsView:
    """Events of the DemandDecisions application → rows of demand_decisions."""

    name = "demand_decisions"

    def create(self, cursor: Cursor[Any]) -> None:
        """Create the table if missing."""
        cursor.execute(SCHEMA)

    def drop(self, cursor: Cursor[Any]) -> None:
        """Drop the table."""
        cursor.execute("DROP TABLE IF EXISTS demand_decisions")

    def apply(self, cursor: Cursor[Any], events: Sequence[Any]) -> None:
        """Apply the events in order (a demand's ``Started`` creates its row)."""
        for event in events:
            if isinstance(event, DemandDecisions.Started):
                cursor.execute(
                    _STARTED,
                    {
                        "id": event.demand_id,
                        "aggregate_id": event.originator_id,
                        "version": event.originator_version,
                    },
                )
            elif (row := _decided(event)) is not None:
                cursor.execute(_DECIDED, row)


def _decided(event: Any) -> dict[str, Any] | None:
    """The update's parameters for one decision (None: not a decision)."""
    entry = decision_of(event)
    if entry is None:
        return None
    row: dict[str, Any] = {
        "aggregate_id": event.originator_id,
        "version": event.originator_version,
        "entry": json.dumps([entry.as_json()]),
        "sets_name": entry.kind == "named",
        "name": entry.name,
        # Only the merged demand's own merge and split move it; its target's side only adds history.
        "sets_merge": isinstance(event, DemandDecisions.MergedInto | DemandDecisions.Split),
        "merged_into": entry.other_id if isinstance(event, DemandDecisions.MergedInto) else None,
        "sets_development": entry.kind in ("sent_to_development", "development_withdrawn"),
        "note": entry.note,
        "by": entry.by_name if entry.kind == "sent_to_development" else None,
        "at": entry.at if entry.kind == "sent_to_development" else None,
    }
    return row

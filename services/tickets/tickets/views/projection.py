"""The tickets read models as one view: events in, rows of ticket_summary and ticket_history out.

A batch is folded in memory first (a ticket touched ten times in a batch is written once) and
written as at most three statements over ``jsonb_to_recordset``, which is what makes a rebuild fast.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import Cursor

from tickets.domain.status import Status
from tickets.domain.ticket import Ticket
from tickets.domain.transitions import Action, next_status
from tickets.views import counts, schema

MAIL_DELIVERY = "mail-delivery"  # the actor of a bounce's history entry: the mail system, not a person

_SUMMARY = (
    "ticket_id",
    "number",
    "subject",
    "status",
    "channel",
    "customer_email",
    "customer_name",
    "department",
    "assignee",
    "reopens",
    "replies",
    "opened_at",
    "finished_at",
    "last_activity_at",
    "public_activity_at",
    "version",
)
_HISTORY = (
    "ticket_id",
    "version",
    "kind",
    "internal",
    "actor_kind",
    "actor",
    "at",
    "channel",
    "body",
    "attachment_ids",
    "previous_status",
    "status",
    "assignee",
    "threaded_by",
    "refused_attachments",
    "score",
)
_TYPES = {
    "ticket_id": "uuid",
    "number": "integer",
    "reopens": "integer",
    "replies": "integer",
    "version": "integer",
    "score": "integer",
    "opened_at": "timestamptz",
    "finished_at": "timestamptz",
    "last_activity_at": "timestamptz",
    "public_activity_at": "timestamptz",
    "at": "timestamptz",
    "internal": "boolean",
    "attachment_ids": "text[]",
    "refused_attachments": "jsonb",  # the JSON array itself, as the column keeps it
    "assignee_set": "boolean",
    "finished_set": "boolean",
}
_PATCH = (
    "ticket_id",
    "status",
    "assignee_set",
    "assignee",
    "finished_set",
    "finished_at",
    "replies",
    "last_activity_at",
    "public_activity_at",
    "version",
)


def _recordset(columns: Sequence[str]) -> str:
    """``jsonb_to_recordset(%s::jsonb) AS r(col type, ...)``: a whole batch as one statement's rows."""
    typed = ", ".join(f"{column} {_TYPES.get(column, 'text')}" for column in columns)
    return f"jsonb_to_recordset(%s::jsonb) AS r({typed})"


# One statement per table and batch (not executemany): in the projector's pipeline these cost no
# round trip of their own, and a batch of a thousand events is still three statements.
_INSERT_SUMMARY = (
    f"INSERT INTO ticket_summary ({', '.join(_SUMMARY)}) "  # noqa: S608 (constant identifiers)
    f"SELECT {', '.join(_SUMMARY)} FROM {_recordset(_SUMMARY)}"
)
_INSERT_HISTORY = (
    f"INSERT INTO ticket_history ({', '.join(_HISTORY)}) "  # noqa: S608 (constant identifiers)
    f"SELECT {', '.join(_HISTORY)} FROM {_recordset(_HISTORY)}"
)
_UPDATE = f"""
UPDATE ticket_summary AS s SET
    status = COALESCE(r.status, s.status),
    assignee = CASE WHEN r.assignee_set THEN r.assignee ELSE s.assignee END,
    finished_at = CASE WHEN r.finished_set THEN r.finished_at ELSE s.finished_at END,
    replies = s.replies + r.replies,
    last_activity_at = r.last_activity_at,
    public_activity_at = COALESCE(r.public_activity_at, s.public_activity_at),
    version = r.version
FROM {_recordset(_PATCH)}
WHERE s.ticket_id = r.ticket_id
"""  # noqa: S608 (constant identifiers)


def _json(rows: Iterable[dict[str, Any]]) -> str:
    return json.dumps(list(rows), default=str)


def _patch(ticket: UUID, status: str | None) -> dict[str, Any]:
    return {
        "ticket_id": ticket,
        "status": status,
        "assignee_set": False,
        "assignee": None,
        "finished_set": False,
        "finished_at": None,
        "replies": 0,
        "public_activity_at": None,
    }


class TicketViews:
    """The customer's list, the agent inbox, each ticket's history and search, from Ticket events."""

    name = "tickets"

    def create(self, cursor: Cursor[Any]) -> None:
        schema.create(cursor)

    def drop(self, cursor: Cursor[Any]) -> None:
        schema.drop(cursor)

    def apply(self, cursor: Cursor[Any], events: Sequence[Any]) -> None:
        opened: dict[UUID, dict[str, Any]] = {}
        patches: dict[UUID, dict[str, Any]] = {}
        history: list[dict[str, Any]] = []
        before = _placed(cursor, events)
        for event in events:
            ticket = event.originator_id
            if isinstance(event, Ticket.Opened):
                opened[ticket] = _opened_row(event)
                history.append(
                    _entry(
                        event,
                        "opened",
                        "customer",
                        event.customer_email,
                        event.opened_at,
                        status=Status.WAITING.value,
                        body=event.body,
                        channel=event.channel,
                        attachment_ids=list(event.attachment_ids),
                        refused=event.refused_attachments,
                    )
                )
                continue
            row = opened.get(ticket) or patches.get(ticket)
            if row is None:
                row = patches[ticket] = _patch(ticket, before[ticket][1] if ticket in before else None)
            entry = _fold(row, event)
            if entry is not None:
                history.append(entry)
        if opened:
            cursor.execute(_INSERT_SUMMARY, (_json(opened.values()),))
        if patches:
            cursor.execute(_UPDATE, (_json(patches.values()),))
        if history:
            cursor.execute(_INSERT_HISTORY, (_json(history),))
        if moves := counts.moves(opened, patches, before):
            cursor.execute(counts.COUNT, (_json(moves),))


def _placed(cursor: Cursor[Any], events: Sequence[Any]) -> dict[UUID, tuple[str, str]]:
    """(department, status) of the tickets opened before this batch: where each entry and count came from."""
    opened = {e.originator_id for e in events if isinstance(e, Ticket.Opened)}
    earlier = list({e.originator_id for e in events} - opened)
    if not earlier:
        return {}
    cursor.execute(
        "SELECT ticket_id, coalesce(department, '') AS department, status FROM ticket_summary "
        "WHERE ticket_id = ANY(%s)",
        (earlier,),
    )
    return {row["ticket_id"]: (row["department"], row["status"]) for row in cursor.fetchall()}


def _opened_row(event: Any) -> dict[str, Any]:
    return {
        "ticket_id": event.originator_id,
        "number": event.number,
        "subject": event.subject,
        "status": Status.WAITING.value,
        "channel": event.channel,
        "customer_email": event.customer_email,
        "customer_name": event.customer_name,
        "department": event.department,
        "assignee": None,
        "reopens": event.reopens,
        "replies": 0,
        "opened_at": event.opened_at,
        "finished_at": None,
        "last_activity_at": event.opened_at,
        "public_activity_at": event.opened_at,
        "version": event.originator_version,
    }


def _fold(row: dict[str, Any], event: Any) -> dict[str, Any] | None:
    """Apply one later event to a summary row (or a patch of one); the history entry it makes."""
    at: datetime = event.at
    row["version"] = event.originator_version
    row["last_activity_at"] = at
    if isinstance(event, Ticket.InternalNoteAdded):
        return _entry(event, "note", "agent", event.agent, at, body=event.body, internal=True)
    if isinstance(event, Ticket.Assigned):
        row["assignee"] = event.agent
        row["assignee_set"] = True
        return _entry(event, "assigned", "agent", event.by, at, assignee=event.agent, internal=True)
    if isinstance(event, Ticket.DeliveryFailed):
        failure = " ".join(part for part in (event.status, event.diagnostic) if part) or "no reason given"
        body = f"email to {event.recipient} could not be delivered: {failure}"
        return _entry(event, "delivery_failed", "system", MAIL_DELIVERY, at, body=body, internal=True)
    if isinstance(event, Ticket.Rated):
        # Agents read "Cliente avaliou: 4/5"; the customer's own page shows it too. It is no news
        # to the customer, so their list keeps its order.
        return _entry(event, "rated", "customer", event.by, at, body=event.comment or None, score=event.score)
    row["public_activity_at"] = at
    if isinstance(event, Ticket.Replied):
        row["replies"] += 1
        return _entry(
            event,
            "replied",
            event.author_kind,
            event.author,
            at,
            body=event.body,
            channel=event.channel,
            attachment_ids=list(event.attachment_ids),
            threaded_by=event.threaded_by,
            refused=event.refused_attachments,
        )
    previous = row["status"]
    if isinstance(event, Ticket.StatusChanged):
        row["status"] = Status(event.status).value
        previous = Status(event.previous).value
        return _entry(event, "status_changed", event.actor_kind, event.actor, at, previous, row["status"])
    if isinstance(event, Ticket.Closed):
        row["status"] = Status.FINISHED.value
        row["finished_at"] = at
        row["finished_set"] = True
        return _entry(event, "closed", event.actor_kind, event.actor, at, previous, row["status"])
    if isinstance(event, Ticket.Reopened):
        row["status"] = next_status(Status.FINISHED, Action.REOPEN).value
        row["finished_at"] = None
        row["finished_set"] = True
        return _entry(
            event, "reopened", event.actor_kind, event.actor, at, Status.FINISHED.value, row["status"]
        )
    return None  # an event kind this view does not show only bumps the version


def _entry(
    event: Any,
    kind: str,
    actor_kind: str,
    actor: str,
    at: datetime,
    previous_status: str | None = None,
    status: str | None = None,
    *,
    body: str | None = None,
    channel: str | None = None,
    attachment_ids: list[str] | None = None,
    assignee: str | None = None,
    internal: bool = False,
    threaded_by: str | None = None,
    refused: Iterable[Sequence[str]] = (),
    score: int | None = None,
) -> dict[str, Any]:
    """One ticket_history row; ``refused``: the event's (filename, reason_code) pairs."""
    return {
        "ticket_id": event.originator_id,
        "version": event.originator_version,
        "kind": kind,
        "internal": internal,
        "actor_kind": actor_kind,
        "actor": actor,
        "at": at,
        "channel": channel,
        "body": body,
        "attachment_ids": attachment_ids or [],
        "previous_status": previous_status,
        "status": status,
        "assignee": assignee,
        "threaded_by": threaded_by,
        "refused_attachments": [
            {"filename": filename, "reason_code": reason_code} for filename, reason_code in refused
        ],
        "score": score,
    }

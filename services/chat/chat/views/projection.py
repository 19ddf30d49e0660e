"""The chat read models as one view: Conversation events in, conversation and entry rows out.

A batch is folded in memory first (a conversation with twenty messages in a batch is updated once)
and written as at most three statements over ``jsonb_to_recordset``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from psycopg import Cursor

from chat.domain import events
from chat.domain.conversation import CUSTOMER, Conversation
from chat.domain.entries import entry_of
from chat.domain.transitions import Status
from chat.views import schema

_CONVERSATION = (
    "conversation_id",
    "status",
    "department",
    "customer_email",
    "customer_name",
    "question",
    "agent_id",
    "agent_name",
    "requested_at",
    "queued_at",
    "accepted_at",
    "waited_s",
    "closed_at",
    "last_seq",
    "messages",
    "customer_active_at",
    "last_activity_at",
    "version",
    "rating_score",
    "rating_comment",
    "rated_at",
)
_ENTRY = (
    "conversation_id",
    "seq",
    "kind",
    "author_kind",
    "author_id",
    "author_name",
    "text",
    "attachment_id",
    "client_id",
    "agent_id",
    "agent_name",
    "department",
    "at",
)
# A patch names only what changed: the *_set flags say a nullable column was set (possibly to null).
_PATCH = (
    "conversation_id",
    "status",
    "department",
    "agent_set",
    "agent_id",
    "agent_name",
    "queued_set",
    "queued_at",
    "accepted_set",
    "accepted_at",
    "waited_s",
    "closed_set",
    "closed_at",
    "last_seq",
    "messages",
    "customer_active_at",
    "last_activity_at",
    "version",
    "rated_set",
    "rating_score",
    "rating_comment",
    "rated_at",
)
_TYPES = {
    "conversation_id": "uuid",
    "seq": "integer",
    "last_seq": "integer",
    "messages": "integer",
    "version": "integer",
    "rating_score": "integer",
    "waited_s": "double precision",
    "requested_at": "timestamptz",
    "queued_at": "timestamptz",
    "accepted_at": "timestamptz",
    "closed_at": "timestamptz",
    "customer_active_at": "timestamptz",
    "last_activity_at": "timestamptz",
    "rated_at": "timestamptz",
    "at": "timestamptz",
    "agent_set": "boolean",
    "queued_set": "boolean",
    "accepted_set": "boolean",
    "closed_set": "boolean",
    "rated_set": "boolean",
}


def _recordset(columns: Sequence[str]) -> str:
    typed = ", ".join(f"{column} {_TYPES.get(column, 'text')}" for column in columns)
    return f"jsonb_to_recordset(%s::jsonb) AS r({typed})"


_INSERT_CONVERSATIONS = (
    f"INSERT INTO chat_conversations ({', '.join(_CONVERSATION)}) "  # noqa: S608 (constant identifiers)
    f"SELECT {', '.join(_CONVERSATION)} FROM {_recordset(_CONVERSATION)}"
)
_INSERT_ENTRIES = (
    f"INSERT INTO chat_entries ({', '.join(_ENTRY)}) "  # noqa: S608 (constant identifiers)
    f"SELECT {', '.join(_ENTRY)} FROM {_recordset(_ENTRY)}"
)
_UPDATE = f"""
UPDATE chat_conversations AS s SET
    status = COALESCE(r.status, s.status),
    department = COALESCE(r.department, s.department),
    agent_id = CASE WHEN r.agent_set THEN r.agent_id ELSE s.agent_id END,
    agent_name = CASE WHEN r.agent_set THEN r.agent_name ELSE s.agent_name END,
    queued_at = CASE WHEN r.queued_set THEN r.queued_at ELSE s.queued_at END,
    accepted_at = CASE WHEN r.accepted_set THEN r.accepted_at ELSE s.accepted_at END,
    waited_s = CASE WHEN r.accepted_set THEN r.waited_s ELSE s.waited_s END,
    closed_at = CASE WHEN r.closed_set THEN r.closed_at ELSE s.closed_at END,
    last_seq = GREATEST(s.last_seq, r.last_seq),
    messages = s.messages + r.messages,
    customer_active_at = GREATEST(s.customer_active_at, r.customer_active_at),
    last_activity_at = COALESCE(r.last_activity_at, s.last_activity_at),
    version = r.version,
    rating_score = CASE WHEN r.rated_set THEN r.rating_score ELSE s.rating_score END,
    rating_comment = CASE WHEN r.rated_set THEN r.rating_comment ELSE s.rating_comment END,
    rated_at = CASE WHEN r.rated_set THEN r.rated_at ELSE s.rated_at END
FROM {_recordset(_PATCH)}
WHERE s.conversation_id = r.conversation_id
"""  # noqa: S608 (constant identifiers)


def _json(rows: Iterable[dict[str, Any]]) -> str:
    return json.dumps(list(rows), default=str)


def _patch(conversation: UUID) -> dict[str, Any]:
    return {column: None for column in _PATCH} | {
        "conversation_id": conversation,
        "agent_set": False,
        "queued_set": False,
        "accepted_set": False,
        "closed_set": False,
        "rated_set": False,
        "messages": 0,
    }


class ChatViews:
    """Queues, agents' chats, customers' past chats, conversation entries and search, from events."""

    name = "chat"

    def create(self, cursor: Cursor[Any]) -> None:
        schema.create(cursor)

    def drop(self, cursor: Cursor[Any]) -> None:
        schema.drop(cursor)

    def apply(self, cursor: Cursor[Any], events: Sequence[Any]) -> None:
        new: dict[UUID, dict[str, Any]] = {}
        patches: dict[UUID, dict[str, Any]] = {}
        entries: list[dict[str, Any]] = []
        for event in events:
            conversation = event.originator_id
            if isinstance(event, Conversation.Requested):
                row = new[conversation] = _requested(event)
            else:
                row = (
                    new.get(conversation)
                    or patches.get(conversation)
                    or patches.setdefault(conversation, _patch(conversation))
                )
                fold(row, event)
            entry = entry_of(event)
            if entry is not None:
                row["last_seq"] = max(row["last_seq"] or 0, entry.seq)
                line = {"conversation_id": str(conversation)} | vars(entry)  # (asdict would deep-copy)
                line["at"] = entry.at.isoformat()  # (so json.dumps rarely needs its default)
                entries.append(line)
        if new:
            cursor.execute(_INSERT_CONVERSATIONS, (_json(new.values()),))
        if patches:
            cursor.execute(_UPDATE, (_json(patches.values()),))
        if entries:
            cursor.execute(_INSERT_ENTRIES, (_json(entries),))


def _requested(event: events.Requested) -> dict[str, Any]:
    return {
        "conversation_id": event.originator_id,
        "status": Status.OFFLINE.value if event.offline else Status.QUEUED.value,
        "department": event.department,
        "customer_email": event.customer_email,
        "customer_name": event.customer_name,
        "question": event.question,
        "agent_id": None,
        "agent_name": None,
        "requested_at": event.at,
        "queued_at": None,
        "accepted_at": None,
        "waited_s": None,
        "closed_at": None,
        "last_seq": 1,
        "messages": 0,
        "customer_active_at": event.at,
        "last_activity_at": event.at,
        "version": event.originator_version,
        "rating_score": None,
        "rating_comment": None,
        "rated_at": None,
    }


def fold(row: dict[str, Any], event: Any) -> None:
    """Apply one later event to a conversation row (or a patch of one)."""
    row["version"] = event.originator_version
    if isinstance(event, Conversation.Rated):
        # A rating comes after the end: it is no activity in the conversation.
        row |= {"rated_set": True, "rating_score": event.score, "rating_comment": event.comment}
        row["rated_at"] = event.at
        return
    row["last_activity_at"] = event.at
    if isinstance(event, Conversation.Queued):
        row |= {"status": Status.QUEUED.value, "department": event.department, "queued_set": True}
        row |= {"queued_at": event.at, "agent_set": True, "agent_id": None, "agent_name": None}
    elif isinstance(event, Conversation.Accepted):
        row |= {"status": Status.ACTIVE.value, "agent_set": True, "agent_id": event.agent_id}
        row |= {"agent_name": event.agent_name, "accepted_set": True, "accepted_at": event.at}
        row["waited_s"] = event.waited_s
    elif isinstance(event, Conversation.MessagePosted | Conversation.FileShared):
        row["messages"] += 1
        if event.author_kind == CUSTOMER:
            # The customer's own messages show they are still there (abandonment looks at this).
            seen = row["customer_active_at"]
            row["customer_active_at"] = event.at if seen is None else max(seen, event.at)
    elif isinstance(event, Conversation.Transferred):
        row["department"] = event.department
        if event.to_agent_id is not None:
            row |= {"agent_set": True, "agent_id": event.to_agent_id, "agent_name": event.to_agent_name}
    elif isinstance(event, Conversation.Closed | Conversation.Abandoned | Conversation.OfflineMessageLeft):
        status = {
            Conversation.Closed: Status.CLOSED,
            Conversation.Abandoned: Status.ABANDONED,
            Conversation.OfflineMessageLeft: Status.OFFLINE,
        }[type(event)]
        row |= {"status": status.value, "closed_set": True, "closed_at": event.at}

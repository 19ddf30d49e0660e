"""What each event shows in a conversation: its entries, numbered by ``seq`` (gap-fill, transcripts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chat.domain.conversation import AGENT, CUSTOMER, SYSTEM, Conversation


@dataclass(frozen=True)
class Entry:
    """One line of a conversation: a message, a file, or what happened (accepted, closed…)."""

    seq: int
    kind: str
    author_kind: str
    author_id: str
    at: datetime
    author_name: str = ""
    text: str | None = None
    attachment_id: str | None = None
    client_id: str | None = None
    agent_id: str | None = None  # accepted/transferred: the agent in charge now
    agent_name: str | None = None
    department: str | None = None  # transferred: where it is now


def entry_of(event: Any) -> Entry | None:
    """The entry an event adds, or None (queueing and a late transcript request show nothing)."""
    if isinstance(event, Conversation.Requested):
        return Entry(
            1, "requested", CUSTOMER, event.customer_email, event.at, event.customer_name, event.question
        )
    if isinstance(event, Conversation.MessagePosted):
        return Entry(
            event.seq,
            "message",
            event.author_kind,
            event.author_id,
            event.at,
            event.author_name,
            event.text,
            client_id=event.client_id,
        )
    if isinstance(event, Conversation.FileShared):
        return Entry(
            event.seq,
            "file",
            event.author_kind,
            event.author_id,
            event.at,
            event.author_name,
            event.text,
            event.attachment_id,
            event.client_id,
        )
    if isinstance(event, Conversation.Accepted):
        return Entry(
            event.seq,
            "accepted",
            AGENT,
            event.agent_id,
            event.at,
            event.agent_name,
            agent_id=event.agent_id,
            agent_name=event.agent_name,
        )
    if isinstance(event, Conversation.Transferred):
        return Entry(
            event.seq,
            "transferred",
            AGENT,
            event.by_agent_id,
            event.at,
            event.by_name,
            agent_id=event.to_agent_id,
            agent_name=event.to_agent_name,
            department=event.department,
        )
    if isinstance(event, Conversation.Closed):
        return Entry(event.seq, "closed", event.by_kind, event.by_id, event.at, event.by_name)
    if isinstance(event, Conversation.Abandoned):
        return Entry(event.seq, "abandoned", SYSTEM, SYSTEM, event.at)
    if isinstance(event, Conversation.OfflineMessageLeft):
        # Left from the start form, the message is already entry 1 (the question): not twice.
        text = None if event.message == event.question else event.message
        return Entry(
            event.seq, "offline", CUSTOMER, event.customer_email, event.at, event.customer_name, text
        )
    return None

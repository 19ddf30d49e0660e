"""What each side may see: live frames and stored entries rendered for a customer's or an agent's socket.

Customers see their own conversation only, agents by name (never their account ids), and of a
queue only their own place in it; agents see everything of the chats they may handle, and that a
ticket of their departments changed (never what changed: the console asks for it over HTTP).
"""

from __future__ import annotations

from typing import Any

from contracts.chat import ChatEntry, ChatLiveFrameV1, ConversationStatus, ConversationSummary
from contracts.common import ActorKind
from gateway.chat.live import TicketChange
from gateway.domain.principal import Principal
from gateway.domain.ticket_access import agent_may_see

_CUSTOMER_HIDES = {"agent_id", "customer_email"}


def entry_for_customer(entry: ChatEntry) -> dict[str, Any]:
    """An entry without the agent's account id."""
    shown = entry.model_dump(mode="json")
    if entry.author_kind is not ActorKind.CUSTOMER:
        shown.pop("author_id", None)
    return shown


def conversation_for_customer(conversation: ConversationSummary) -> dict[str, Any]:
    """The conversation without the agent's account id."""
    return conversation.model_dump(mode="json", exclude=_CUSTOMER_HIDES)


def for_customer(conversation_id: str, frame: ChatLiveFrameV1) -> dict[str, Any] | None:
    """A live frame as the customer of ``conversation_id`` may see it (None: not for them)."""
    if frame.conversation_id != conversation_id:  # a department's queue frame names no conversation
        return None
    if frame.kind == "entry" and frame.entry is not None:
        return {"type": "entry", "entry": entry_for_customer(frame.entry)}
    if frame.kind == "status" and frame.conversation is not None:
        summary = frame.conversation
        if summary.status is ConversationStatus.QUEUED:
            # Chat sends a waiting customer their place as a status; it may arrive after the accept
            # that ended the wait, so it only ever moves the place shown, never the status.
            return {
                "type": "queue",
                "position": summary.queue_position,
                "estimated_wait_s": summary.estimated_wait_s,
            }
        return {"type": "status", "conversation": conversation_for_customer(summary)}
    if frame.kind in {"typing", "read"} and frame.by_kind is ActorKind.AGENT:
        return {"type": frame.kind, "by": "agent", "up_to_seq": frame.up_to_seq}
    return None


def for_agent(frame: ChatLiveFrameV1) -> dict[str, Any] | None:
    """A live frame as an agent sees it (the link only listens to what the agent may handle)."""
    if frame.kind == "queue":
        queue = [c.model_dump(mode="json") for c in frame.queue or ()]
        return {"type": "queue", "department": frame.department, "queue": queue}
    if frame.kind == "entry" and frame.entry is not None:
        return {
            "type": "entry",
            "conversation_id": frame.conversation_id,
            "entry": frame.entry.model_dump(mode="json"),
        }
    if frame.kind == "status" and frame.conversation is not None:
        return {"type": "status", "conversation": frame.conversation.model_dump(mode="json")}
    if frame.kind in {"typing", "read"} and frame.by_kind is ActorKind.CUSTOMER:
        return {
            "type": frame.kind,
            "conversation_id": frame.conversation_id,
            "by": "customer",
            "up_to_seq": frame.up_to_seq,
        }
    return None


def ticket_for_agent(me: Principal, change: TicketChange) -> dict[str, Any] | None:
    """A ticket changed, for an agent who may see it (its department's, or one not routed yet)."""
    if not agent_may_see(me, change.department):
        return None
    return {
        "type": "ticket",
        "ticket_id": change.ticket_id,
        "number": change.number,
        "department": change.department,
        "status": change.status.value if change.status else None,
        "event": change.event,
    }

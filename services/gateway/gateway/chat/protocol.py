"""The chat WebSocket protocol: JSON frames in both directions (documented in docs/chat-protocol.md).

Client frames are validated here; a bad one gets an ``error`` frame naming the reason and the
socket stays open, so one malformed frame never costs the other party the conversation.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

MAX_TEXT_BYTES = 4096  # default per-message limit; a setting of the gateway overrides it


class _Frame(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class Say(_Frame):
    """A message (text and/or a file uploaded first) to a conversation."""

    type: Literal["message"]
    client_id: str = Field(min_length=1, max_length=100)
    text: str | None = Field(default=None, max_length=MAX_TEXT_BYTES)
    attachment_id: str | None = Field(default=None, max_length=200)
    conversation_id: str | None = Field(default=None, max_length=200, description="Agents: which chat.")


class Typing(_Frame):
    """The sender is typing (not stored)."""

    type: Literal["typing"]
    conversation_id: str | None = Field(default=None, max_length=200)


class Read(_Frame):
    """Everything up to ``up_to_seq`` was seen (a read receipt; not stored)."""

    type: Literal["read"]
    up_to_seq: int = Field(ge=0)
    conversation_id: str | None = Field(default=None, max_length=200)


class Sync(_Frame):
    """Send me what came after ``after_seq`` (after a reconnect or a lost frame)."""

    type: Literal["sync"]
    after_seq: int = Field(default=0, ge=0)
    conversation_id: str | None = Field(default=None, max_length=200)


class Close(_Frame):
    """End the conversation; the customer may ask for the transcript by email."""

    type: Literal["close"]
    send_transcript: bool = False
    conversation_id: str | None = Field(default=None, max_length=200)


class Ping(_Frame):
    """Keep-alive; answered with pong."""

    type: Literal["ping"]


class Accept(_Frame):
    """Agents: take a chat from a queue."""

    type: Literal["accept"]
    conversation_id: str = Field(min_length=1, max_length=200)


class Transfer(_Frame):
    """Agents: hand a chat to another agent or back to a department's queue."""

    type: Literal["transfer"]
    conversation_id: str = Field(min_length=1, max_length=200)
    to_agent_id: str | None = Field(default=None, max_length=200)
    to_department: str | None = Field(default=None, max_length=100)


class SetPresence(_Frame):
    """Agents: online (taking chats), away or offline, and how many chats at once."""

    type: Literal["presence"]
    presence: Literal["online", "away", "offline"]
    capacity: int = Field(default=3, ge=1, le=20)


CustomerFrame = Annotated[Say | Typing | Read | Sync | Close | Ping, Field(discriminator="type")]
AgentFrame = Annotated[
    Say | Typing | Read | Sync | Close | Ping | Accept | Transfer | SetPresence, Field(discriminator="type")
]
_customer = TypeAdapter[Any](CustomerFrame)
_agent = TypeAdapter[Any](AgentFrame)


class BadFrame(ValueError):
    """A client frame that cannot be acted on; ``reason`` is a stable code for the error frame."""

    def __init__(self, reason: str, field: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field


def parse(raw: str, *, agent: bool, max_text_bytes: int = MAX_TEXT_BYTES) -> Any:
    """The frame in ``raw``; raises BadFrame (too_long, unknown_frame, invalid_frame, empty_message)."""
    try:
        frame = (_agent if agent else _customer).validate_json(raw)
    except ValidationError as invalid:
        first = invalid.errors()[0]
        where = ".".join(str(part) for part in first["loc"][1:]) or None
        if first["type"] in {"union_tag_invalid", "union_tag_not_found"}:
            raise BadFrame("unknown_frame", "type") from None
        if first["type"] == "string_too_long":
            raise BadFrame("message_too_long", where) from None
        raise BadFrame("invalid_frame", where) from None
    if isinstance(frame, Say):
        if not frame.text and not frame.attachment_id:
            raise BadFrame("empty_message", "text")
        if frame.text and len(frame.text.encode()) > max_text_bytes:
            raise BadFrame("message_too_long", "text")
    return frame


def error(
    reason: str,
    message: str,
    field: str | None = None,
    client_id: str | None = None,
    conversation_id: str | None = None,
) -> dict[str, Any]:
    """An error frame: the reason code, its text in the reader's language, and what it is about."""
    frame: dict[str, Any] = {"type": "error", "reason": reason, "message": message}
    about = {"field": field, "client_id": client_id, "conversation_id": conversation_id}
    return frame | {key: value for key, value in about.items() if value}

"""The one envelope every message travels in, and the base class of every message."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class Message(BaseModel):
    """A versioned message body; subclasses set TYPE and VERSION and are registered by name."""

    # Consumers ignore fields they do not know: producers may add fields within a version.
    model_config = ConfigDict(frozen=True, extra="ignore")

    TYPE: ClassVar[str]
    VERSION: ClassVar[int]

    @classmethod
    def type_key(cls) -> str:
        """The registry key, e.g. ``tickets.TicketRequested.v1``."""
        return f"{cls.TYPE}.v{cls.VERSION}"


class Envelope(BaseModel):
    """Message metadata around a body: identity, type, version, time and causality."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    message_id: str = Field(
        min_length=1,
        max_length=256,
        pattern=r"^[\x21-\x7e]+$",
        description="Unique id; also the Nats-Msg-Id used for JetStream dedupe.",
    )
    type: str = Field(
        min_length=1, max_length=200, description="Message type name, e.g. tickets.TicketRequested."
    )
    version: int = Field(ge=1, description="Version of the message type.")
    occurred_at: AwareDatetime = Field(description="When the fact happened or the command was issued.")
    correlation_id: str = Field(
        min_length=1,
        max_length=256,
        pattern=r"^[\x21-\x7e]+$",
        description="Id shared by everything one user action caused.",
    )
    causation_id: str | None = Field(
        default=None, max_length=256, description="message_id of the message that caused this."
    )
    data: dict[str, Any] = Field(description="The message body, as the versioned schema describes.")

    @classmethod
    def wrap(
        cls,
        message: Message,
        *,
        correlation_id: str | None = None,
        causation_id: str | None = None,
        message_id: str | None = None,
        occurred_at: datetime | None = None,
    ) -> Self:
        """Put ``message`` in a new envelope; a fresh id starts a new correlation."""
        new_id = message_id or str(uuid.uuid4())
        return cls(
            message_id=new_id,
            type=message.TYPE,
            version=message.VERSION,
            occurred_at=occurred_at or datetime.now(UTC),
            correlation_id=correlation_id or new_id,
            causation_id=causation_id,
            data=message.model_dump(mode="json"),
        )

    @property
    def type_key(self) -> str:
        """The registry key of the body's class."""
        return f"{self.type}.v{self.version}"

    def to_bytes(self) -> bytes:
        """Serialise for the wire (JSON, UTF-8)."""
        return self.model_dump_json().encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> Self:
        """Parse from the wire; raises pydantic.ValidationError on a malformed envelope."""
        return cls.model_validate_json(raw)

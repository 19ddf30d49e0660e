"""Platform messages: what the plumbing itself reports."""

from datetime import datetime

from pydantic import Field

from contracts.common import Id, ShortText
from contracts.envelope import Message
from contracts.registry import message_type


@message_type("system.MessageDeadLettered", 1)
class MessageDeadLetteredV1(Message):
    """A consumer gave up on a message after its last allowed delivery; kept for an operator."""

    stream: ShortText
    consumer: ShortText
    subject: ShortText
    stream_sequence: int = Field(ge=0)
    deliveries: int = Field(ge=1)
    error: str = Field(max_length=4000, description="Why the last attempt failed.")
    original_message_id: Id | None = None
    original_headers: dict[str, str] = Field(default_factory=dict)
    original_data: str = Field(description="The original payload, base64-encoded (it may not be valid JSON).")
    failed_at: datetime

"""Commands of the live chat (gateway → chat, NATS request-reply) and their own answers.

Each is answered with the conversation (``contracts.chat.ConversationV1``) unless it says otherwise.
"""

from datetime import datetime

from pydantic import Field

from contracts.chat import ChatText, Department, Presence
from contracts.common import ActorKind, Email, Id, RatingComment, Score, ShortText
from contracts.envelope import Message
from contracts.registry import message_type


@message_type("chat.StartChat", 1)
class StartChatV1(Message):
    """The start form (guide 003: name, email, question, department). Refused 409 no_agent_available
    when nobody in the department is online: the widget then offers to leave a message."""

    request_id: Id = Field(description="The conversation id derives from it: a retried start is one chat.")
    customer_name: ShortText = Field(min_length=1)
    customer_email: Email
    question: ChatText = Field(min_length=1)
    department: Department


@message_type("chat.LeaveOfflineMessage", 1)
class LeaveOfflineMessageV1(Message):
    """Nobody can answer: the message becomes a ticket (channel chat); the answer comes by email.

    With ``conversation_id`` a queued conversation that waited too long turns into one instead.
    """

    request_id: Id
    conversation_id: Id | None = None
    customer_name: ShortText = Field(min_length=1)
    customer_email: Email
    department: Department
    message: ChatText = Field(min_length=1)


@message_type("chat.AcceptChat", 1)
class AcceptChatV1(Message):
    """An agent takes a queued conversation; the first accept wins, the others get 409 already_accepted."""

    conversation_id: Id
    agent_id: Id
    agent_name: ShortText


@message_type("chat.PostChatMessage", 1)
class PostChatMessageV1(Message):
    """A message (or a shared file) from the customer or the agent of an active conversation."""

    conversation_id: Id
    client_id: Id = Field(description="The sender's id for this message: a retry is stored once.")
    author_kind: ActorKind
    author_id: Id
    author_name: ShortText = ""
    text: ChatText | None = None
    attachment_id: Id | None = Field(default=None, description="A file stored by the files service.")


@message_type("chat.TransferChat", 1)
class TransferChatV1(Message):
    """Hand an active conversation to another agent, or back to a department's queue."""

    conversation_id: Id
    by_agent_id: Id
    to_agent_id: Id | None = None
    to_agent_name: ShortText | None = None
    to_department: Department | None = None


@message_type("chat.CloseChat", 1)
class CloseChatV1(Message):
    """The agent or the customer closes the conversation; the customer may ask for the transcript."""

    conversation_id: Id
    by_kind: ActorKind
    by_id: Id
    send_transcript: bool = False


@message_type("chat.RateChat", 1)
class RateChatV1(Message):
    """The customer rates a chat that has ended; a later rating replaces the earlier one."""

    conversation_id: Id = Field(
        description="Its resume token proved it the customer's (the gateway checked)."
    )
    customer_email: Email | None = Field(
        default=None, description="A signed-in customer rating from the portal: chat checks it is theirs."
    )
    score: Score
    comment: RatingComment = ""


@message_type("chat.TouchChat", 1)
class TouchChatV1(Message):
    """The customer is still there (their socket is open): a heartbeat that keeps the chat from being
    abandoned. Answered with the conversation (no entries)."""

    conversation_id: Id
    customer_email: Email


@message_type("chat.SetPresence", 1)
class SetPresenceV1(Message):
    """An agent's availability, the departments it serves and how many chats it takes at once."""

    agent_id: Id
    agent_name: ShortText
    presence: Presence
    departments: list[Department]
    capacity: int = Field(default=3, ge=1, le=20)


@message_type("chat.PresenceState", 1)
class PresenceStateV1(Message):
    """An agent's presence as recorded, with its current load."""

    agent_id: Id
    presence: Presence
    departments: list[Department]
    capacity: int
    active_chats: int = Field(ge=0)


@message_type("chat.ChatMessageAck", 1)
class ChatMessageAckV1(Message):
    """A posted message is stored: its sequence number (a retry answers the same)."""

    conversation_id: Id
    client_id: Id
    seq: int = Field(ge=1)
    at: datetime

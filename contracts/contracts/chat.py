"""Messages of the live chat: the shared parts and answers, the facts chat publishes, live frames.

Commands are in ``contracts.chat_commands``, queries in ``contracts.chat_queries``.

Three kinds of traffic:
- commands and queries over NATS request-reply (gateway → chat), each answered with the
  conversation or a list;
- facts on the CHAT stream (JetStream, through chat's relay), for the notifier and insights;
- live frames on core NATS (``atende.chat.live.…``): what gateways push to open sockets. They are
  sent only after the change is persisted and may be lost; a client that missed one asks for the
  gap by sequence number (``GetConversationV1.after_seq``), so nothing is lost or shown twice.
"""

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from contracts.common import ActorKind, Email, Id, LongText, RatingComment, Score, ShortText
from contracts.envelope import Message
from contracts.registry import message_type

ChatText = LongText  # the gateway enforces the per-message limit (default 4 KB) before it gets here
Department = ShortText


class ChatPart(BaseModel):
    """A structure inside a chat message: readers ignore fields they do not know."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class ConversationStatus(StrEnum):
    """Where a conversation is in its life."""

    QUEUED = "queued"  # waiting in its department's queue for an agent
    ACTIVE = "active"  # an agent accepted it
    CLOSED = "closed"  # the agent or the customer closed it
    ABANDONED = "abandoned"  # the visitor went away past the timeout while queued or active
    OFFLINE = "offline"  # nobody could answer: it became a message, answered later by email (a ticket)


class Presence(StrEnum):
    """An agent's availability for chats."""

    ONLINE = "online"
    AWAY = "away"
    OFFLINE = "offline"


class ChatEntry(ChatPart):
    """One line of a conversation, in order: a message, a file, or what happened (accepted, closed…)."""

    seq: int = Field(ge=1, description="Per-conversation sequence number, from 1, without gaps.")
    kind: ShortText = Field(
        description="message, file, requested, accepted, transferred, closed, abandoned, offline."
    )
    author_kind: ActorKind
    author_id: Id = Field(description="The customer's email, an agent's account id, or 'system'.")
    author_name: ShortText = ""
    text: ChatText | None = None
    attachment_id: Id | None = None
    client_id: Id | None = Field(default=None, description="The sender's own id for it (idempotent retries).")
    at: datetime
    agent_id: Id | None = Field(default=None, description="accepted/transferred: the agent now in charge.")
    agent_name: ShortText | None = None
    department: Department | None = Field(
        default=None, description="transferred: the department the conversation is in now."
    )


class ChatRating(ChatPart):
    """The customer's rating of an ended conversation (the latest: a new one replaces it)."""

    score: Score
    comment: RatingComment = ""
    rated_at: datetime


class ConversationSummary(ChatPart):
    """A conversation as a list shows it (no entries)."""

    conversation_id: Id
    status: ConversationStatus
    department: Department
    customer_email: Email
    customer_name: ShortText
    question: ChatText
    agent_id: Id | None = None
    agent_name: ShortText | None = None
    requested_at: datetime
    accepted_at: datetime | None = None
    closed_at: datetime | None = None
    last_seq: int = Field(ge=0)
    queue_position: int | None = Field(default=None, ge=1, description="1 = next; only while queued.")
    estimated_wait_s: int | None = Field(default=None, ge=0, description="Only while queued.")
    rating: ChatRating | None = Field(default=None, description="Once the customer rated it (ended chats).")


@message_type("chat.Conversation", 1)
class ConversationV1(Message):
    """A conversation as it is now, with its entries after the sequence number asked for."""

    conversation: ConversationSummary
    entries: list[ChatEntry] = Field(default_factory=list)


@message_type("chat.ConversationList", 1)
class ConversationListV1(Message):
    """A page of conversations (a queue, an agent's chats, a search, a customer's past chats)."""

    conversations: list[ConversationSummary]
    total: int = Field(ge=0)


# --- facts on the CHAT stream -------------------------------------------------------------------


@message_type("chat.ChatRequested", 1)
class ChatRequestedV1(Message):
    """A customer started a chat; it waits in its department's queue."""

    conversation_id: Id
    department: Department
    customer_email: Email
    customer_name: ShortText
    question: ChatText
    requested_at: datetime


@message_type("chat.ChatAccepted", 1)
class ChatAcceptedV1(Message):
    """An agent accepted a queued chat."""

    conversation_id: Id
    department: Department
    agent_id: Id
    waited_s: float = Field(ge=0, description="Time in the queue.")
    accepted_at: datetime


@message_type("chat.ChatMessagePosted", 1)
class ChatMessagePostedV1(Message):
    """A message or file was stored in a conversation."""

    conversation_id: Id
    seq: int = Field(ge=1)
    author_kind: ActorKind
    author_id: Id
    text: ChatText | None = None
    attachment_id: Id | None = None
    posted_at: datetime


@message_type("chat.ChatTransferred", 1)
class ChatTransferredV1(Message):
    """A conversation went to another agent or back to a department's queue."""

    conversation_id: Id
    from_agent_id: Id
    to_agent_id: Id | None = None
    department: Department
    transferred_at: datetime


@message_type("chat.ChatClosed", 1)
class ChatClosedV1(Message):
    """A conversation ended; the notifier mails the transcript when the customer asked for it."""

    conversation_id: Id
    department: Department
    customer_email: Email
    customer_name: ShortText
    agent_id: Id | None = None
    closed_by: ActorKind
    status: ConversationStatus = Field(description="closed or abandoned.")
    send_transcript: bool = False
    messages: int = Field(ge=0)
    closed_at: datetime


@message_type("chat.ChatRated", 1)
class ChatRatedV1(Message):
    """The customer rated an ended chat; a later rating replaces the earlier one."""

    conversation_id: Id
    department: Department
    customer_email: Email
    agent_id: Id | None = Field(default=None, description="The agent who held it last; null: none did.")
    score: Score
    comment: RatingComment = ""
    rated_at: datetime


@message_type("chat.ChatTranscriptRequested", 1)
class ChatTranscriptRequestedV1(Message):
    """The customer asked for the transcript after the conversation had already ended (the agent
    closed it first, or it was abandoned): the notifier mails it, as for ``ChatClosedV1.send_transcript``."""

    conversation_id: Id
    department: Department
    customer_email: Email
    customer_name: ShortText
    agent_id: Id | None = None
    messages: int = Field(ge=0)
    requested_at: datetime


# --- live frames (core NATS, after persistence; gateways push them to sockets) ----------------


@message_type("chat.LiveFrame", 1)
class ChatLiveFrameV1(Message):
    """What a socket should show now: an entry, a status change, a queue update, typing or read."""

    conversation_id: Id | None = None
    kind: ShortText = Field(description="entry, status, queue, typing, read, presence.")
    entry: ChatEntry | None = None
    conversation: ConversationSummary | None = None
    department: Department | None = None
    queue: list[ConversationSummary] | None = Field(default=None, description="kind=queue: the queue now.")
    by_kind: ActorKind | None = Field(default=None, description="typing/read: who.")
    up_to_seq: int | None = Field(default=None, ge=0, description="read: everything up to here was seen.")

"""Messages of the live chat: the gateway's commands and queries, the facts chat publishes, live frames.

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


# --- commands (gateway → chat) -------------------------------------------------------------------


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


# --- queries ----------------------------------------------------------------------------------


@message_type("chat.GetConversation", 1)
class GetConversationV1(Message):
    """A conversation and its entries after ``after_seq`` (0: all): resume and gap-fill."""

    conversation_id: Id
    after_seq: int = Field(default=0, ge=0)
    entries: bool = Field(
        default=True, description="False: the conversation alone, e.g. for an access check (no entries)."
    )
    attachment_id: Id | None = Field(
        default=None,
        description="Only the entry that shared this file (none if it was not shared here): a download's check.",
    )


@message_type("chat.ListQueue", 1)
class ListQueueV1(Message):
    """Queued conversations of these departments, oldest first (an agent's queue view)."""

    departments: list[Department]


@message_type("chat.ListAgentChats", 1)
class ListAgentChatsV1(Message):
    """The conversations an agent has open."""

    agent_id: Id


@message_type("chat.SearchChats", 1)
class SearchChatsV1(Message):
    """Past conversations by words of their transcript, department or customer (agents)."""

    q: ShortText | None = None
    departments: list[Department] = Field(default_factory=list)
    customer_email: Email | None = None
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0)


@message_type("chat.GetAvailability", 1)
class GetAvailabilityV1(Message):
    """Whether each department can take a chat now (the widget's start form asks this)."""

    departments: list[Department]


class DepartmentAvailability(ChatPart):
    """One department: agents online with free capacity, queue length and the expected wait."""

    department: Department
    agents_online: int = Field(ge=0)
    free_slots: int = Field(ge=0)
    queued: int = Field(ge=0)
    estimated_wait_s: int | None = Field(default=None, ge=0)


@message_type("chat.Availability", 1)
class AvailabilityV1(Message):
    """Answer to GetAvailability."""

    departments: list[DepartmentAvailability]


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

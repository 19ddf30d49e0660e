"""Every subject, stream and durable consumer name in one place.

Naming: ``atende.<owner>.<kind>.<name>.v<N>`` where kind is ``events`` (facts on JetStream),
``intake`` (durable work sent to the owner on JetStream), ``cmd`` or ``qry`` (request-reply).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from contracts.accounts import AccountEmailRequestedV1
from contracts.chat import (
    ChatAcceptedV1,
    ChatClosedV1,
    ChatLiveFrameV1,
    ChatMessagePostedV1,
    ChatRatedV1,
    ChatRequestedV1,
    ChatTranscriptRequestedV1,
    ChatTransferredV1,
    ConversationListV1,
    ConversationV1,
)
from contracts.chat_commands import (
    AcceptChatV1,
    ChatMessageAckV1,
    CloseChatV1,
    LeaveOfflineMessageV1,
    PostChatMessageV1,
    PresenceStateV1,
    RateChatV1,
    SetPresenceV1,
    StartChatV1,
    TouchChatV1,
    TransferChatV1,
)
from contracts.chat_queries import (
    AvailabilityV1,
    GetAvailabilityV1,
    GetConversationV1,
    ListAgentChatsV1,
    ListQueueV1,
    SearchChatsV1,
)
from contracts.envelope import Message
from contracts.files import (
    AttachmentListV1,
    AttachmentRejectedV1,
    AttachmentStoredV1,
    DescribeAttachmentsV1,
)
from contracts.insights import (
    DemandDecisionV1,
    DemandsV1,
    FiguresV1,
    GetDemandsV1,
    GetFiguresV1,
    GetRatingCommentsV1,
    MergeDemandV1,
    NameDemandV1,
    RatingCommentsV1,
    SendDemandToDevelopmentV1,
    SplitDemandV1,
    WithdrawDemandFromDevelopmentV1,
)
from contracts.mail import (
    ListQuarantinedMailV1,
    QuarantinedMailListV1,
    QuarantinedMailRetriedV1,
    RetryQuarantinedMailV1,
)
from contracts.system import MessageDeadLetteredV1
from contracts.ticket_commands import (
    AddInternalNoteV1,
    AssignTicketV1,
    FinishTicketV1,
    GetTicketV1,
    OpenTicketV1,
    RateTicketV1,
    ReopenTicketV1,
    ReplyToTicketV1,
    StartWorkV1,
    TicketV1,
)
from contracts.ticket_queries import (
    GetTicketHistoryV1,
    ListCustomerTicketsV1,
    SearchInboxV1,
    TicketHistoryV1,
    TicketListV1,
)
from contracts.tickets import (
    TicketAssignedV1,
    TicketBounceReceivedV1,
    TicketClosedV1,
    TicketDeliveryFailedV1,
    TicketNoteAddedV1,
    TicketOpenedV1,
    TicketRatedV1,
    TicketRepliedV1,
    TicketReplyReceivedV1,
    TicketRequestedV1,
    TicketStatusChangedV1,
)

Service = Literal["tickets", "chat", "mail-ingest", "notifier", "files", "gateway", "insights", "any"]


@dataclass(frozen=True)
class Stream:
    """A JetStream stream: one per owning service and purpose."""

    name: str
    subjects: tuple[str, ...]
    owner: Service
    description: str
    max_age_days: int = 365
    # Window in which a repeated Nats-Msg-Id is dropped as a duplicate.
    duplicate_window_s: int = 600


@dataclass(frozen=True)
class Route:
    """A subject, the message it carries and who speaks and listens on it."""

    subject: str
    message: type[Message]
    kind: Literal["event", "intake", "command", "query", "live"]
    producers: tuple[Service, ...]
    consumers: tuple[Service, ...]
    stream: Stream | None = None


@dataclass(frozen=True)
class Durable:
    """A durable pull consumer: its name, stream and delivery policy."""

    name: str
    stream: Stream
    service: Service
    filter_subjects: tuple[str, ...]
    max_deliver: int = 5
    ack_wait_s: float = 30.0
    backoff_s: tuple[float, ...] = field(default=(1.0, 5.0, 15.0, 60.0))

    @property
    def dead_letter_subject(self) -> str:
        """Where messages go that failed ``max_deliver`` times."""
        return dead_letter_subject(self.stream.name, self.name)


def dead_letter_subject(stream: str, durable: str) -> str:
    """Dead-letter subject for one consumer of one stream."""
    return f"atende.deadletter.{stream.lower()}.{durable}"


TICKETS = Stream(
    "TICKETS",
    ("atende.tickets.events.>",),
    "tickets",
    "Facts about tickets, translated from its event store.",
)
TICKETS_INTAKE = Stream(
    "TICKETS_INTAKE",
    ("atende.tickets.intake.>",),
    "tickets",
    "Requests for new tickets from email and chat, consumed durably by tickets.",
)
CHAT = Stream(
    "CHAT", ("atende.chat.events.>",), "chat", "Facts about live chats, translated from its event store."
)
FILES = Stream("FILES", ("atende.files.events.>",), "files", "Facts about attachments.")
DEADLETTER = Stream(
    "DEADLETTER",
    ("atende.deadletter.>",),
    "any",
    "Messages a consumer gave up on, with the error, for an operator to inspect and replay.",
    max_age_days=30,
)
ACCOUNTS = Stream(
    "ACCOUNTS",
    ("atende.accounts.events.>",),
    "gateway",
    "Mails account changes ask for; they may carry one-time links, so they are kept two days at most.",
    max_age_days=2,
)
STREAMS: tuple[Stream, ...] = (TICKETS, TICKETS_INTAKE, CHAT, FILES, ACCOUNTS, DEADLETTER)

TICKET_REQUESTED_V1 = "atende.tickets.intake.requested.v1"
TICKET_REPLY_RECEIVED_V1 = "atende.tickets.intake.reply-received.v1"
ACCOUNT_EMAIL_REQUESTED_V1 = "atende.accounts.events.email-requested.v1"
TICKET_OPENED_V1 = "atende.tickets.events.opened.v1"
TICKET_STATUS_CHANGED_V1 = "atende.tickets.events.status-changed.v1"
TICKET_REPLIED_V1 = "atende.tickets.events.replied.v1"
TICKET_CLOSED_V1 = "atende.tickets.events.closed.v1"
TICKET_ASSIGNED_V1 = "atende.tickets.events.assigned.v1"
TICKET_NOTE_ADDED_V1 = "atende.tickets.events.note-added.v1"
TICKET_RATED_V1 = "atende.tickets.events.rated.v1"
ATTACHMENT_STORED_V1 = "atende.files.events.stored.v1"
ATTACHMENT_REJECTED_V1 = "atende.files.events.rejected.v1"
DEAD_LETTERED_V1 = "atende.deadletter.>"
OPEN_TICKET_V1 = "atende.tickets.cmd.open.v1"
START_WORK_V1 = "atende.tickets.cmd.start-work.v1"
REPLY_TO_TICKET_V1 = "atende.tickets.cmd.reply.v1"
ADD_INTERNAL_NOTE_V1 = "atende.tickets.cmd.add-note.v1"
ASSIGN_TICKET_V1 = "atende.tickets.cmd.assign.v1"
FINISH_TICKET_V1 = "atende.tickets.cmd.finish.v1"
REOPEN_TICKET_V1 = "atende.tickets.cmd.reopen.v1"
RATE_TICKET_V1 = "atende.tickets.cmd.rate.v1"
GET_TICKET_V1 = "atende.tickets.qry.get.v1"
LIST_CUSTOMER_TICKETS_V1 = "atende.tickets.qry.customer-list.v1"
SEARCH_INBOX_V1 = "atende.tickets.qry.inbox.v1"
GET_TICKET_HISTORY_V1 = "atende.tickets.qry.history.v1"
# Mail safety: bounces onto their ticket, and the mail mail-ingest held back (admins list and retry).
TICKET_BOUNCE_RECEIVED_V1 = "atende.tickets.intake.bounce-received.v1"
TICKET_DELIVERY_FAILED_V1 = "atende.tickets.events.delivery-failed.v1"
LIST_QUARANTINED_MAIL_V1 = "atende.mail.qry.quarantine.v1"
RETRY_QUARANTINED_MAIL_V1 = "atende.mail.cmd.retry.v1"
DESCRIBE_ATTACHMENTS_V1 = "atende.files.qry.describe.v1"
GET_FIGURES_V1 = "atende.insights.qry.figures.v1"
GET_DEMANDS_V1 = "atende.insights.qry.demands.v1"
# Agents' decisions on recurring demands (gateway → insights).
NAME_DEMAND_V1 = "atende.insights.cmd.name-demand.v1"
MERGE_DEMAND_V1 = "atende.insights.cmd.merge-demand.v1"
SPLIT_DEMAND_V1 = "atende.insights.cmd.split-demand.v1"
SEND_DEMAND_TO_DEVELOPMENT_V1 = "atende.insights.cmd.send-demand-to-development.v1"
WITHDRAW_DEMAND_FROM_DEVELOPMENT_V1 = "atende.insights.cmd.withdraw-demand-from-development.v1"
GET_RATING_COMMENTS_V1 = "atende.insights.qry.comments.v1"
# Live chat: commands and queries (gateway → chat), facts (CHAT stream), live frames (core NATS).
START_CHAT_V1 = "atende.chat.cmd.start.v1"
LEAVE_OFFLINE_MESSAGE_V1 = "atende.chat.cmd.offline-message.v1"
ACCEPT_CHAT_V1 = "atende.chat.cmd.accept.v1"
POST_CHAT_MESSAGE_V1 = "atende.chat.cmd.post.v1"
TRANSFER_CHAT_V1 = "atende.chat.cmd.transfer.v1"
CLOSE_CHAT_V1 = "atende.chat.cmd.close.v1"
RATE_CHAT_V1 = "atende.chat.cmd.rate.v1"
SET_PRESENCE_V1 = "atende.chat.cmd.presence.v1"
GET_CONVERSATION_V1 = "atende.chat.qry.conversation.v1"
LIST_QUEUE_V1 = "atende.chat.qry.queue.v1"
LIST_AGENT_CHATS_V1 = "atende.chat.qry.agent-chats.v1"
SEARCH_CHATS_V1 = "atende.chat.qry.search.v1"
GET_AVAILABILITY_V1 = "atende.chat.qry.availability.v1"
CHAT_REQUESTED_V1 = "atende.chat.events.requested.v1"
CHAT_ACCEPTED_V1 = "atende.chat.events.accepted.v1"
CHAT_MESSAGE_POSTED_V1 = "atende.chat.events.message-posted.v1"
CHAT_TRANSFERRED_V1 = "atende.chat.events.transferred.v1"
CHAT_CLOSED_V1 = "atende.chat.events.closed.v1"
CHAT_RATED_V1 = "atende.chat.events.rated.v1"
CHAT_LIVE_V1 = "atende.chat.live.>"
TOUCH_CHAT_V1 = "atende.chat.cmd.touch.v1"
CHAT_TRANSCRIPT_REQUESTED_V1 = "atende.chat.events.transcript-requested.v1"


def _token(name: str) -> str:
    """A department name as one subject token: lower-case ASCII letters, digits and '-'."""
    import unicodedata

    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return "".join(ch if ch.isalnum() else "-" for ch in plain).strip("-") or "-"


def chat_live_conversation(conversation_id: str) -> str:
    """Live frames of one conversation (its customer's and its agent's sockets listen)."""
    return f"atende.chat.live.conversation.{conversation_id}"


def chat_live_queue(department: str) -> str:
    """Live queue updates of one department (its agents' sockets listen)."""
    return f"atende.chat.live.queue.{_token(department)}"


def chat_live_agent(agent_id: str) -> str:
    """Live frames for one agent (a chat transferred to them, their presence)."""
    return f"atende.chat.live.agent.{agent_id}"


ROUTES: tuple[Route, ...] = (
    Route(
        TICKET_REQUESTED_V1,
        TicketRequestedV1,
        "intake",
        ("mail-ingest", "chat"),
        ("tickets",),
        TICKETS_INTAKE,
    ),
    Route(
        TICKET_REPLY_RECEIVED_V1,
        TicketReplyReceivedV1,
        "intake",
        ("mail-ingest",),
        ("tickets",),
        TICKETS_INTAKE,
    ),
    Route(
        TICKET_OPENED_V1, TicketOpenedV1, "event", ("tickets",), ("notifier", "gateway", "insights"), TICKETS
    ),
    Route(
        TICKET_STATUS_CHANGED_V1,
        TicketStatusChangedV1,
        "event",
        ("tickets",),
        ("notifier", "gateway", "insights"),
        TICKETS,
    ),
    Route(
        TICKET_REPLIED_V1,
        TicketRepliedV1,
        "event",
        ("tickets",),
        ("notifier", "gateway", "insights"),
        TICKETS,
    ),
    Route(
        TICKET_CLOSED_V1, TicketClosedV1, "event", ("tickets",), ("notifier", "gateway", "insights"), TICKETS
    ),
    Route(TICKET_ASSIGNED_V1, TicketAssignedV1, "event", ("tickets",), ("gateway", "insights"), TICKETS),
    Route(TICKET_NOTE_ADDED_V1, TicketNoteAddedV1, "event", ("tickets",), ("gateway",), TICKETS),
    Route(TICKET_RATED_V1, TicketRatedV1, "event", ("tickets",), ("gateway", "insights"), TICKETS),
    Route(ATTACHMENT_STORED_V1, AttachmentStoredV1, "event", ("files",), ("tickets", "chat"), FILES),
    Route(ATTACHMENT_REJECTED_V1, AttachmentRejectedV1, "event", ("files",), ("tickets", "chat"), FILES),
    Route(
        ACCOUNT_EMAIL_REQUESTED_V1, AccountEmailRequestedV1, "event", ("gateway",), ("notifier",), ACCOUNTS
    ),
    Route(DEAD_LETTERED_V1, MessageDeadLetteredV1, "event", ("any",), (), DEADLETTER),
    Route(OPEN_TICKET_V1, OpenTicketV1, "command", ("gateway",), ("tickets",)),
    Route(START_WORK_V1, StartWorkV1, "command", ("gateway",), ("tickets",)),
    Route(REPLY_TO_TICKET_V1, ReplyToTicketV1, "command", ("gateway",), ("tickets",)),
    Route(ADD_INTERNAL_NOTE_V1, AddInternalNoteV1, "command", ("gateway",), ("tickets",)),
    Route(ASSIGN_TICKET_V1, AssignTicketV1, "command", ("gateway",), ("tickets",)),
    Route(FINISH_TICKET_V1, FinishTicketV1, "command", ("gateway",), ("tickets",)),
    Route(REOPEN_TICKET_V1, ReopenTicketV1, "command", ("gateway",), ("tickets",)),
    Route(RATE_TICKET_V1, RateTicketV1, "command", ("gateway",), ("tickets",)),
    Route(GET_TICKET_V1, GetTicketV1, "query", ("gateway",), ("tickets",)),
    Route(LIST_CUSTOMER_TICKETS_V1, ListCustomerTicketsV1, "query", ("gateway",), ("tickets",)),
    Route(SEARCH_INBOX_V1, SearchInboxV1, "query", ("gateway",), ("tickets",)),
    Route(GET_TICKET_HISTORY_V1, GetTicketHistoryV1, "query", ("gateway",), ("tickets",)),
    # Mail safety (mail-ingest, tickets, notifier, admins).
    Route(
        TICKET_BOUNCE_RECEIVED_V1,
        TicketBounceReceivedV1,
        "intake",
        ("mail-ingest",),
        ("tickets",),
        TICKETS_INTAKE,
    ),
    Route(TICKET_DELIVERY_FAILED_V1, TicketDeliveryFailedV1, "event", ("tickets",), ("notifier",), TICKETS),
    Route(LIST_QUARANTINED_MAIL_V1, ListQuarantinedMailV1, "query", ("gateway",), ("mail-ingest",)),
    Route(RETRY_QUARANTINED_MAIL_V1, RetryQuarantinedMailV1, "command", ("gateway",), ("mail-ingest",)),
    Route(DESCRIBE_ATTACHMENTS_V1, DescribeAttachmentsV1, "query", ("gateway", "notifier"), ("files",)),
    Route(GET_FIGURES_V1, GetFiguresV1, "query", ("gateway",), ("insights",)),
    Route(GET_DEMANDS_V1, GetDemandsV1, "query", ("gateway",), ("insights",)),
    Route(NAME_DEMAND_V1, NameDemandV1, "command", ("gateway",), ("insights",)),
    Route(MERGE_DEMAND_V1, MergeDemandV1, "command", ("gateway",), ("insights",)),
    Route(SPLIT_DEMAND_V1, SplitDemandV1, "command", ("gateway",), ("insights",)),
    Route(SEND_DEMAND_TO_DEVELOPMENT_V1, SendDemandToDevelopmentV1, "command", ("gateway",), ("insights",)),
    Route(
        WITHDRAW_DEMAND_FROM_DEVELOPMENT_V1,
        WithdrawDemandFromDevelopmentV1,
        "command",
        ("gateway",),
        ("insights",),
    ),
    Route(GET_RATING_COMMENTS_V1, GetRatingCommentsV1, "query", ("gateway",), ("insights",)),
    Route(START_CHAT_V1, StartChatV1, "command", ("gateway",), ("chat",)),
    Route(LEAVE_OFFLINE_MESSAGE_V1, LeaveOfflineMessageV1, "command", ("gateway",), ("chat",)),
    Route(ACCEPT_CHAT_V1, AcceptChatV1, "command", ("gateway",), ("chat",)),
    Route(POST_CHAT_MESSAGE_V1, PostChatMessageV1, "command", ("gateway",), ("chat",)),
    Route(TRANSFER_CHAT_V1, TransferChatV1, "command", ("gateway",), ("chat",)),
    Route(CLOSE_CHAT_V1, CloseChatV1, "command", ("gateway",), ("chat",)),
    Route(RATE_CHAT_V1, RateChatV1, "command", ("gateway",), ("chat",)),
    Route(SET_PRESENCE_V1, SetPresenceV1, "command", ("gateway",), ("chat",)),
    Route(GET_CONVERSATION_V1, GetConversationV1, "query", ("gateway",), ("chat",)),
    Route(LIST_QUEUE_V1, ListQueueV1, "query", ("gateway",), ("chat",)),
    Route(LIST_AGENT_CHATS_V1, ListAgentChatsV1, "query", ("gateway",), ("chat",)),
    Route(SEARCH_CHATS_V1, SearchChatsV1, "query", ("gateway",), ("chat",)),
    Route(GET_AVAILABILITY_V1, GetAvailabilityV1, "query", ("gateway",), ("chat",)),
    Route(CHAT_REQUESTED_V1, ChatRequestedV1, "event", ("chat",), ("notifier", "insights"), CHAT),
    Route(CHAT_ACCEPTED_V1, ChatAcceptedV1, "event", ("chat",), ("insights",), CHAT),
    Route(CHAT_MESSAGE_POSTED_V1, ChatMessagePostedV1, "event", ("chat",), ("insights",), CHAT),
    Route(CHAT_TRANSFERRED_V1, ChatTransferredV1, "event", ("chat",), ("insights",), CHAT),
    Route(CHAT_CLOSED_V1, ChatClosedV1, "event", ("chat",), ("notifier", "insights"), CHAT),
    Route(CHAT_RATED_V1, ChatRatedV1, "event", ("chat",), ("insights",), CHAT),
    Route(TOUCH_CHAT_V1, TouchChatV1, "command", ("gateway",), ("chat",)),
    Route(CHAT_TRANSCRIPT_REQUESTED_V1, ChatTranscriptRequestedV1, "event", ("chat",), ("notifier",), CHAT),
    # Core NATS, not a stream: pushed after persistence, gap-filled by sequence number on loss.
    Route(CHAT_LIVE_V1, ChatLiveFrameV1, "live", ("chat", "gateway"), ("gateway",)),
)

# Replies travel back on the caller's inbox; they are versioned messages all the same.
REPLIES: tuple[type[Message], ...] = (TicketV1, TicketListV1, TicketHistoryV1, AttachmentListV1)
REPLIES += (QuarantinedMailListV1, QuarantinedMailRetriedV1)  # mail-ingest's answers to admins
REPLIES += (ConversationV1, ConversationListV1, ChatMessageAckV1, PresenceStateV1, AvailabilityV1)  # chat's
REPLIES += (FiguresV1, DemandsV1, DemandDecisionV1)  # insights' answers
REPLIES += (RatingCommentsV1,)  # insights' customers' comments, for admins

TICKETS_INTAKE_DURABLE = Durable(
    "tickets-intake",
    TICKETS_INTAKE,
    "tickets",
    (TICKET_REQUESTED_V1, TICKET_REPLY_RECEIVED_V1, TICKET_BOUNCE_RECEIVED_V1),
)
NOTIFIER_TICKETS_DURABLE = Durable("notifier-tickets", TICKETS, "notifier", ("atende.tickets.events.>",))
NOTIFIER_ACCOUNTS_DURABLE = Durable("notifier-accounts", ACCOUNTS, "notifier", (ACCOUNT_EMAIL_REQUESTED_V1,))
# Transcripts: asked for on close, or later (the agent had closed first).
NOTIFIER_CHAT_DURABLE = Durable(
    "notifier-chat", CHAT, "notifier", (CHAT_CLOSED_V1, CHAT_TRANSCRIPT_REQUESTED_V1)
)
DURABLES: tuple[Durable, ...] = (TICKETS_INTAKE_DURABLE, NOTIFIER_TICKETS_DURABLE, NOTIFIER_ACCOUNTS_DURABLE)
DURABLES += (NOTIFIER_CHAT_DURABLE,)
# Insights keeps every ticket and chat fact: the figures and the recurring demands are made of them.
INSIGHTS_TICKETS_DURABLE = Durable("insights-tickets", TICKETS, "insights", ("atende.tickets.events.>",))
INSIGHTS_CHAT_DURABLE = Durable("insights-chat", CHAT, "insights", ("atende.chat.events.>",))
DURABLES += (INSIGHTS_TICKETS_DURABLE, INSIGHTS_CHAT_DURABLE)


def route_for(message: type[Message]) -> Route:
    """The route that carries ``message``; every published message has exactly one."""
    for route in ROUTES:
        if route.message is message:
            return route
    raise LookupError(f"no route carries {message.type_key()}")

"""Domain events of a Conversation → contract events on the wire (queueing stays inside).

Every event carries what its fact needs, so translation reads nothing: the relay stays a pure
follower of the notification log.
"""

from __future__ import annotations

from typing import Any

from chat.domain import events
from chat.domain.conversation import Conversation
from contracts.chat import (
    ChatAcceptedV1,
    ChatClosedV1,
    ChatMessagePostedV1,
    ChatRatedV1,
    ChatRequestedV1,
    ChatTranscriptRequestedV1,
    ChatTransferredV1,
    ConversationStatus,
)
from contracts.common import ActorKind, Channel
from contracts.subjects import (
    CHAT_ACCEPTED_V1,
    CHAT_CLOSED_V1,
    CHAT_MESSAGE_POSTED_V1,
    CHAT_RATED_V1,
    CHAT_REQUESTED_V1,
    CHAT_TRANSCRIPT_REQUESTED_V1,
    CHAT_TRANSFERRED_V1,
    TICKET_REQUESTED_V1,
)
from contracts.tickets import TicketRequestedV1
from plumbing.relay import Publication

SUBJECT_CHARS = 120


def offline_request_id(conversation_id: str) -> str:
    """The ticket request an offline message makes: one per conversation, so a republish opens one ticket."""
    return f"chat:offline:{conversation_id}"


def translate(event: Any) -> Publication | None:
    """The publication for one domain event, or None."""
    conversation = str(event.originator_id)
    if isinstance(event, Conversation.Requested):
        if event.offline:
            return None  # a message left from the start form: its ticket request is the fact
        requested = ChatRequestedV1(
            conversation_id=conversation,
            department=event.department,
            customer_email=event.customer_email,
            customer_name=event.customer_name,
            question=event.question,
            requested_at=event.at,
        )
        return Publication(CHAT_REQUESTED_V1, requested)
    if isinstance(event, Conversation.Accepted):
        accepted = ChatAcceptedV1(
            conversation_id=conversation,
            department=event.department,
            agent_id=event.agent_id,
            waited_s=event.waited_s,
            accepted_at=event.at,
        )
        return Publication(CHAT_ACCEPTED_V1, accepted)
    if isinstance(event, Conversation.MessagePosted | Conversation.FileShared):
        posted = ChatMessagePostedV1(
            conversation_id=conversation,
            seq=event.seq,
            author_kind=ActorKind(event.author_kind),
            author_id=event.author_id,
            text=event.text,
            attachment_id=getattr(event, "attachment_id", None),
            posted_at=event.at,
        )
        return Publication(CHAT_MESSAGE_POSTED_V1, posted)
    if isinstance(event, Conversation.Transferred):
        transferred = ChatTransferredV1(
            conversation_id=conversation,
            from_agent_id=event.from_agent_id or event.by_agent_id,
            to_agent_id=event.to_agent_id,
            department=event.department,
            transferred_at=event.at,
        )
        return Publication(CHAT_TRANSFERRED_V1, transferred)
    if isinstance(event, Conversation.Closed | Conversation.Abandoned):
        return Publication(CHAT_CLOSED_V1, _closed(conversation, event))
    if isinstance(event, Conversation.OfflineMessageLeft):
        return Publication(TICKET_REQUESTED_V1, _ticket_request(conversation, event))
    if isinstance(event, Conversation.TranscriptRequested):
        transcript = ChatTranscriptRequestedV1(
            conversation_id=conversation,
            department=event.department,
            customer_email=event.customer_email,
            customer_name=event.customer_name,
            agent_id=event.agent_id,
            messages=event.messages,
            requested_at=event.at,
        )
        return Publication(CHAT_TRANSCRIPT_REQUESTED_V1, transcript)
    if isinstance(event, Conversation.Rated):
        rated = ChatRatedV1(
            conversation_id=conversation,
            department=event.department,
            customer_email=event.customer_email,
            agent_id=event.agent_id,
            score=event.score,
            comment=event.comment,
            rated_at=event.at,
        )
        return Publication(CHAT_RATED_V1, rated)
    return None  # Queued: the queue is chat's own business


def _closed(conversation: str, event: Any) -> ChatClosedV1:
    abandoned = isinstance(event, Conversation.Abandoned)
    return ChatClosedV1(
        conversation_id=conversation,
        department=event.department,
        customer_email=event.customer_email,
        customer_name=event.customer_name,
        agent_id=event.agent_id,
        closed_by=ActorKind.SYSTEM if abandoned else ActorKind(event.by_kind),
        status=ConversationStatus.ABANDONED if abandoned else ConversationStatus.CLOSED,
        send_transcript=False if abandoned else event.send_transcript,
        messages=event.messages,
        closed_at=event.at,
    )


def _ticket_request(conversation: str, event: events.OfflineMessageLeft) -> TicketRequestedV1:
    """The offline message as a ticket request (channel chat); a queued chat's question comes first."""
    body = event.message if event.message == event.question else f"{event.question}\n\n{event.message}"
    first_line = event.question.strip().splitlines()[0] if event.question.strip() else event.message
    subject = first_line if len(first_line) <= SUBJECT_CHARS else first_line[: SUBJECT_CHARS - 1] + "…"
    return TicketRequestedV1(
        request_id=offline_request_id(conversation),
        channel=Channel.CHAT,
        customer_email=event.customer_email,
        customer_name=event.customer_name,
        subject=subject,
        body=body,
        department=event.department,
        source_ref=conversation,
        received_at=event.at,
    )

"""A ticket's or a chat's facts, in order, folded into the record the figures and the grouping read.

A record is always the fold of all its subject's facts (ordered by the aggregate's version): facts may
arrive late or twice, and the result is the same. Each fold may start from the record of the facts
before: a fact that arrives in order is folded onto the stored record, without reading the others.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from contracts import Message
from contracts.chat import (
    ChatAcceptedV1,
    ChatClosedV1,
    ChatMessagePostedV1,
    ChatRatedV1,
    ChatRequestedV1,
    ChatTransferredV1,
    ConversationStatus,
)
from contracts.common import ActorKind
from contracts.tickets import (
    TicketAssignedV1,
    TicketClosedV1,
    TicketOpenedV1,
    TicketRatedV1,
    TicketRepliedV1,
    TicketStatus,
    TicketStatusChangedV1,
)
from insights.domain.records import ChatRecord, Outcome, RatingRecord, StatusSpan, TicketRecord

# The facts each record is made of; any other kind (a note's fact, a bounce) changes nothing here.
TICKET_FACTS = (TicketOpenedV1, TicketStatusChangedV1, TicketRepliedV1, TicketClosedV1, TicketAssignedV1)
CHAT_FACTS = (ChatRequestedV1, ChatAcceptedV1, ChatMessagePostedV1, ChatTransferredV1, ChatClosedV1)
RATING_FACTS = (TicketRatedV1, ChatRatedV1)
# A chat's text for grouping: its question and the customer's words, up to this many characters.
MAX_TEXT = 4_000


def fold_ticket(facts: Iterable[Message], record: TicketRecord | None = None) -> TicketRecord | None:
    """The ticket as its facts say, oldest first, after ``record``; None until its opening has arrived."""
    for fact in facts:
        if isinstance(fact, TicketOpenedV1):
            text = f"{fact.subject}\n{fact.body}".strip()
            record = TicketRecord(
                ticket_id=fact.ticket_id,
                number=fact.number,
                department=fact.department,
                channel=fact.channel.value,
                customer_email=fact.customer_email,
                subject=fact.subject,
                text=text,
                opened_at=fact.opened_at,
                first_response_at=None,
                first_responder=None,
                finished_at=None,
                assignee=None,
                spans=(StatusSpan(fact.status.value, fact.opened_at, None),),
            )
        elif record is None:
            continue  # the opening fact comes first in version order; anything before it is not ours
        elif isinstance(fact, TicketStatusChangedV1):
            record = _moved(record, fact.status, fact.changed_at)
        elif isinstance(fact, TicketClosedV1):
            record = _moved(record, TicketStatus.FINISHED, fact.closed_at)
        elif isinstance(fact, TicketRepliedV1):
            if fact.author_kind is ActorKind.AGENT and record.first_response_at is None:
                record = replace(record, first_response_at=fact.replied_at, first_responder=fact.author_name)
        elif isinstance(fact, TicketAssignedV1):
            record = replace(record, assignee=fact.assignee)
    return record


def _moved(record: TicketRecord, status: TicketStatus, at: datetime) -> TicketRecord:
    """The record after a move to ``status`` at ``at``: the open span ends, a new one starts."""
    *done, current = record.spans
    if current.status == status.value:
        return record
    spans = (*done, replace(current, end=at), StatusSpan(status.value, at, None))
    finished_at = at if status is TicketStatus.FINISHED else None
    return replace(record, spans=spans, finished_at=finished_at)


def fold_chat(facts: Iterable[Message], record: ChatRecord | None = None) -> ChatRecord | None:
    """The chat as its facts say, oldest first, after ``record``; None until its request has arrived."""
    for fact in facts:
        if isinstance(fact, ChatRequestedV1):
            record = ChatRecord(
                conversation_id=fact.conversation_id,
                department=fact.department,
                customer_email=fact.customer_email,
                question=fact.question,
                text=fact.question[:MAX_TEXT],
                requested_at=fact.requested_at,
                accepted_at=None,
                waited_s=None,
                agent_id=None,
                closed_at=None,
                outcome=None,
                messages=0,
            )
        elif record is None:
            continue
        elif isinstance(fact, ChatAcceptedV1):
            first = record.accepted_at is None
            record = replace(
                record,
                accepted_at=fact.accepted_at if first else record.accepted_at,
                waited_s=fact.waited_s if first else record.waited_s,
                agent_id=fact.agent_id,
            )
        elif isinstance(fact, ChatMessagePostedV1):
            text = record.text
            if fact.author_kind is ActorKind.CUSTOMER and fact.text and len(text) < MAX_TEXT:
                text = f"{text}\n{fact.text}"[:MAX_TEXT]
            record = replace(record, messages=record.messages + 1, text=text)
        elif isinstance(fact, ChatTransferredV1):
            record = replace(record, agent_id=fact.to_agent_id, department=fact.department)
        elif isinstance(fact, ChatClosedV1):
            outcome: Outcome = "abandoned" if fact.status is ConversationStatus.ABANDONED else "closed"
            record = replace(
                record, closed_at=fact.closed_at, outcome=outcome, agent_id=fact.agent_id or record.agent_id
            )
    return record


def fold_rating(facts: Iterable[Message]) -> RatingRecord | None:
    """The subject's rating as its facts say, oldest first: the last one (a re-rating replaces); None: unrated."""
    record: RatingRecord | None = None
    department: str | None = None  # the ticket's (its opening is version 1), for a rating that names none
    for fact in facts:
        if isinstance(fact, TicketOpenedV1):
            department = fact.department
        elif isinstance(fact, TicketRatedV1):
            record = RatingRecord(
                kind="ticket",
                subject_id=fact.ticket_id,
                department=fact.department or department,
                agent_id=fact.agent_id,
                score=fact.score,
                comment=fact.comment,
                rated_at=fact.rated_at,
                number=fact.number,
            )
        elif isinstance(fact, ChatRatedV1):
            record = RatingRecord(
                kind="chat",
                subject_id=fact.conversation_id,
                department=fact.department,
                agent_id=fact.agent_id,
                score=fact.score,
                comment=fact.comment,
                rated_at=fact.rated_at,
            )
    return record

"""The agents' side of tickets: inbox with filters and counts, search, history, replies, notes, moves."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from contracts.common import ActorKind
from contracts.subjects import (
    ADD_INTERNAL_NOTE_V1,
    ASSIGN_TICKET_V1,
    FINISH_TICKET_V1,
    REOPEN_TICKET_V1,
    REPLY_TO_TICKET_V1,
    SEARCH_INBOX_V1,
    START_WORK_V1,
)
from contracts.ticket_commands import (
    AddInternalNoteV1,
    AssignTicketV1,
    FinishTicketV1,
    ReopenTicketV1,
    ReplyToTicketV1,
    StartWorkV1,
)
from contracts.ticket_queries import SearchInboxV1, TicketListV1
from contracts.tickets import TicketStatus
from gateway.auth import CurrentAgent
from gateway.dependencies import BusDep
from gateway.files.calls import AttachmentsDep
from gateway.openapi import MAX_OFFSET, NO_NUL, ApiId, documented
from gateway.tickets.calls import Calls, IdempotencyKey, Language, request_id
from gateway.tickets.models import (
    Assignment,
    Count,
    NewNote,
    NewReply,
    StatusChange,
    Ticket,
    TicketDetail,
    TicketPage,
    from_entry,
    ticket_out,
)
from plumbing.errors import Invalid

router = APIRouter(
    prefix="/api/v1/agent/tickets", tags=["tickets (agents)"], responses=documented(401, 403, 422, 503, 504)
)
_MOVES = {
    TicketStatus.IN_PROGRESS: (START_WORK_V1, StartWorkV1),
    TicketStatus.FINISHED: (FINISH_TICKET_V1, FinishTicketV1),
    TicketStatus.WAITING: (REOPEN_TICKET_V1, ReopenTicketV1),
}


@router.get("", summary="Inbox and search")
async def inbox(
    me: CurrentAgent,
    bus: BusDep,
    calls: Calls,
    language: Language,
    status_: Annotated[list[TicketStatus], Query(alias="status")] = [],  # noqa: B006 (FastAPI copies it)
    department: Annotated[str | None, Query(max_length=100, pattern=NO_NUL)] = None,
    assignee: Annotated[
        str | None,
        Query(max_length=200, pattern=NO_NUL, description="An agent's id, 'me', or '-' for unassigned."),
    ] = None,
    q: Annotated[
        str | None, Query(max_length=500, pattern=NO_NUL, description="Words, or a number like #1042.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> TicketPage:
    """The agent's departments' tickets (and unrouted ones), latest activity first, with counts."""
    found = await bus.request(
        SEARCH_INBOX_V1,
        SearchInboxV1(
            departments=list(me.departments),
            status=status_,
            department=department,
            assignee=me.account_id if assignee == "me" else assignee or None,  # "assignee=": no filter
            text=q,
            limit=limit,
            offset=offset,
        ),
        TicketListV1,
    )
    names = await calls.names(found)
    return TicketPage(
        tickets=[ticket_out(t, language, staff=True, names=names) for t in found.tickets],
        total=found.total,
        limit=limit,
        offset=offset,
        by_status=[
            Count(key=c.status.value, label=c.status.label(language), count=c.count) for c in found.by_status
        ],
        by_department=[
            Count(key=c.department, label=c.department, count=c.count) for c in found.by_department
        ],
    )


@router.get("/{ticket_id}", responses=documented(404))
async def get_ticket(
    ticket_id: ApiId, me: CurrentAgent, calls: Calls, files: AttachmentsDep, language: Language
) -> TicketDetail:
    """One ticket with every event, internal notes and assignments included."""
    found = await calls.history(me, ticket_id)
    names = await calls.names(found)
    return TicketDetail(
        ticket=ticket_out(found.ticket, language, staff=True, names=names),
        history=[from_entry(entry, language, names, found.ticket.customer_name) for entry in found.entries],
        attachments=await files.listed(found, router.prefix),
    )


@router.post("/{ticket_id}/replies", status_code=status.HTTP_201_CREATED, responses=documented(404, 409))
async def reply(
    ticket_id: ApiId,
    new: NewReply,
    me: CurrentAgent,
    calls: Calls,
    files: AttachmentsDep,
    language: Language,
    idempotency_key: IdempotencyKey = None,
) -> Ticket:
    """A public reply: the customer sees it (and is emailed); the ticket then awaits the customer."""
    await files.check(me.account_id, ticket_id, new.attachment_ids)
    command = ReplyToTicketV1(
        ticket_id=ticket_id,
        expected_version=new.expected_version,
        actor_kind=ActorKind.AGENT,
        actor=me.account_id,
        reply_id=request_id(me, idempotency_key, "reply"),
        body=new.body,
        attachment_ids=new.attachment_ids,
    )
    return await calls.change(me, ticket_id, REPLY_TO_TICKET_V1, command, language)


@router.post("/{ticket_id}/notes", status_code=status.HTTP_201_CREATED, responses=documented(404, 409))
async def add_note(
    ticket_id: ApiId,
    new: NewNote,
    me: CurrentAgent,
    calls: Calls,
    language: Language,
    idempotency_key: IdempotencyKey = None,
) -> Ticket:
    """An internal note: agents only; never shown or sent to the customer; the status stays."""
    command = AddInternalNoteV1(
        ticket_id=ticket_id,
        expected_version=new.expected_version,
        actor_kind=ActorKind.AGENT,
        actor=me.account_id,
        note_id=request_id(me, idempotency_key, "note"),
        body=new.body,
    )
    return await calls.change(me, ticket_id, ADD_INTERNAL_NOTE_V1, command, language)


@router.put("/{ticket_id}/status", responses=documented(404, 409))
async def change_status(
    ticket_id: ApiId, change: StatusChange, me: CurrentAgent, calls: Calls, language: Language
) -> Ticket:
    """Work on it (in_progress), finish it (finished) or reopen a finished one (waiting)."""
    move = _MOVES.get(change.status)
    if move is None:
        # Awaiting the customer is reached by replying, not by a button.
        raise Invalid("invalid", errors=[{"field": "status", "reason": "status_not_settable"}])
    subject, command_type = move
    command = command_type(
        ticket_id=ticket_id,
        expected_version=change.expected_version,
        actor_kind=ActorKind.AGENT,
        actor=me.account_id,
    )
    return await calls.change(me, ticket_id, subject, command, language)


@router.put("/{ticket_id}/assignee", responses=documented(404, 409))
async def assign(
    ticket_id: ApiId, assignment: Assignment, me: CurrentAgent, calls: Calls, language: Language
) -> Ticket:
    """Give the ticket to an agent, or to nobody."""
    command = AssignTicketV1(
        ticket_id=ticket_id,
        expected_version=assignment.expected_version,
        actor_kind=ActorKind.AGENT,
        actor=me.account_id,
        agent=assignment.agent_id,
    )
    return await calls.change(
        me, ticket_id, ASSIGN_TICKET_V1, command, language, agent_id=assignment.agent_id
    )

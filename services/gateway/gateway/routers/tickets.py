"""The customer's tickets (guide 000's "solicitações"): open, list, read, reply, mark solved, rate."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from contracts.common import ActorKind, Channel
from contracts.subjects import FINISH_TICKET_V1, LIST_CUSTOMER_TICKETS_V1, OPEN_TICKET_V1, REPLY_TO_TICKET_V1
from contracts.ticket_commands import FinishTicketV1, OpenTicketV1, ReplyToTicketV1, TicketV1
from contracts.ticket_queries import ListCustomerTicketsV1, TicketListV1
from contracts.tickets import ticket_id_for
from gateway.accounts.service import Accounts
from gateway.auth import CurrentCustomer
from gateway.dependencies import BusDep
from gateway.files.calls import AttachmentsDep, attachment_calls
from gateway.openapi import MAX_OFFSET, ApiId, documented
from gateway.ratelimit import http as limits
from gateway.ratelimit.limiter import REPLY, TICKET
from gateway.tickets.calls import Calls, IdempotencyKey, Language, TicketCalls, language, request_id
from gateway.tickets.models import (
    NewRating,
    NewReply,
    NewTicket,
    Rating,
    Ticket,
    TicketDetail,
    TicketPage,
    current_rating,
    from_entry,
    ticket_out,
)
from gateway.tickets.ratings import rate
from plumbing.bus import Bus
from plumbing.errors import Invalid

router = APIRouter(
    prefix="/api/v1/tickets", tags=["tickets (customer)"], responses=documented(401, 403, 422, 503, 504)
)


@router.post("", status_code=status.HTTP_201_CREATED, summary="Nova solicitação", responses=documented(429))
async def open_ticket(
    new: NewTicket,
    me: CurrentCustomer,
    request: Request,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> Ticket:
    """Open a ticket; a retry with the same Idempotency-Key answers the same ticket.

    Files go in ``attachment_ids``, uploaded first to /api/v1/tickets/new/attachments with the same key.
    """
    # The busiest route: it takes the bus, the accounts and the files from the app itself rather
    # than through five more dependencies, each of which costs more to resolve than its use here.
    bus: Bus = request.app.state.bus
    accounts: Accounts = request.app.state.accounts  # there: CurrentCustomer needed it
    await limits.by_account(request, TICKET, me.account_id)  # before anything is sent
    if new.department is not None and new.department not in accounts.settings.departments:
        raise Invalid("invalid", errors=[{"field": "department", "reason": "department_unknown"}])
    opening = request_id(me, idempotency_key, "open")
    if new.attachment_ids:
        files = await attachment_calls(request, bus, TicketCalls(bus, accounts))
        await files.check(me.account_id, ticket_id_for(opening), new.attachment_ids)
    opened = await bus.request(
        OPEN_TICKET_V1,
        OpenTicketV1(
            request_id=opening,
            channel=Channel.PORTAL,
            customer_email=me.email,
            customer_name=me.name,
            subject=new.subject,
            body=new.description,
            department=new.department,
            attachment_ids=new.attachment_ids,
        ),
        TicketV1,
    )
    response.headers["Location"] = f"{router.prefix}/{opened.ticket_id}"
    return ticket_out(opened, await language(request), staff=False)


@router.get("", summary="Solicitações")
async def list_tickets(
    me: CurrentCustomer,
    bus: BusDep,
    language: Language,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> TicketPage:
    """The customer's tickets, latest activity first, each with the day and time it was opened."""
    found = await bus.request(
        LIST_CUSTOMER_TICKETS_V1,
        ListCustomerTicketsV1(
            customer_email=me.email, email_verified=me.email_verified, limit=limit, offset=offset
        ),
        TicketListV1,
    )
    return TicketPage(
        tickets=[ticket_out(t, language, staff=False) for t in found.tickets],
        total=found.total,
        limit=limit,
        offset=offset,
    )


@router.get("/{ticket_id}", responses=documented(404))
async def get_ticket(
    ticket_id: ApiId, me: CurrentCustomer, calls: Calls, files: AttachmentsDep, language: Language
) -> TicketDetail:
    """One ticket: its current status and its whole public history."""
    found = await calls.history(me, ticket_id)
    names = await calls.names(found)
    return TicketDetail(
        ticket=ticket_out(found.ticket, language, staff=False),
        history=[from_entry(entry, language, names, found.ticket.customer_name) for entry in found.entries],
        attachments=await files.listed(found, router.prefix),
        rating=current_rating(found),
    )


@router.post("/{ticket_id}/replies", status_code=status.HTTP_201_CREATED, responses=documented(404, 409, 429))
async def reply(
    ticket_id: ApiId,
    new: NewReply,
    me: CurrentCustomer,
    request: Request,
    calls: Calls,
    files: AttachmentsDep,
    language: Language,
    idempotency_key: IdempotencyKey = None,
) -> Ticket:
    """Answer the ticket. Answering a finished one reopens it; long after, it opens a linked new one."""
    await limits.by_account(request, REPLY, me.account_id)
    await files.check(me.account_id, ticket_id, new.attachment_ids)
    return await calls.change(
        me,
        ticket_id,
        REPLY_TO_TICKET_V1,
        ReplyToTicketV1(
            ticket_id=ticket_id,
            expected_version=new.expected_version,
            actor_kind=ActorKind.CUSTOMER,
            actor=me.email,
            reply_id=request_id(me, idempotency_key, "reply"),
            body=new.body,
            attachment_ids=new.attachment_ids,
        ),
        language,
    )


@router.post("/{ticket_id}/solved", responses=documented(404, 409))
async def solved(ticket_id: ApiId, me: CurrentCustomer, calls: Calls, language: Language) -> Ticket:
    """Mark the problem solved ("meu problema foi resolvido"): the customer finishes the ticket."""
    return await calls.change(
        me,
        ticket_id,
        FINISH_TICKET_V1,
        FinishTicketV1(ticket_id=ticket_id, actor_kind=ActorKind.CUSTOMER, actor=me.email),
        language,
    )


@router.post("/{ticket_id}/rating", responses=documented(404, 409))
async def rating(ticket_id: ApiId, new: NewRating, me: CurrentCustomer, calls: Calls) -> Rating:
    """Rate a finished ticket, 1 (Muito ruim) to 5 (Excelente); rating again replaces the rating.

    409 ``ticket_not_finished`` until the ticket is finished; without ``comment``, the one given before stays.
    """
    found = await calls.history(me, ticket_id)  # the customer's own tickets only; others' are a 404
    return await rate(calls.bus, ticket_id, new, customer_email=me.email, before=current_rating(found))

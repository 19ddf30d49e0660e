"""The console's ticket pages: the inbox and one ticket (their scripts fetch the data from the API)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.dependencies import AccountsDep
from gateway.web.pages import signed_in
from gateway.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/console")
async def inbox(request: Request, accounts: AccountsDep) -> Response:
    """Tickets by status and department, with live counts, filters and search."""
    me = await signed_in(request, accounts, staff=True)
    if isinstance(me, Response):
        return me
    return render(request, "console/inbox.html", title="console_inbox_title", principal=me)


@router.get("/console/tickets/{ticket_id}")
async def ticket(ticket_id: str, request: Request, accounts: AccountsDep) -> Response:
    """One ticket: its history, the reply and note composer, status and assignment."""
    me = await signed_in(request, accounts, staff=True)
    if isinstance(me, Response):
        return me
    return render(
        request, "console/ticket.html", title="console_ticket_title", principal=me, ticket_id=ticket_id
    )

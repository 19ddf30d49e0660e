"""The console's insights page: the service figures of a period (its script fetches them from the API)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.dependencies import AccountsDep
from gateway.web.pages import signed_in
from gateway.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/console/insights")
async def insights(request: Request, accounts: AccountsDep) -> Response:
    """Tickets, time in each status and chats of a period, for the team and by department or agent."""
    me = await signed_in(request, accounts, staff=True)
    if isinstance(me, Response):
        return me
    return render(request, "console/insights.html", title="console_insights_title", principal=me)

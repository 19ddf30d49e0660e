"""The console's chat pages: queues, chats in tabs and past chats (the data comes over the agent socket)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.dependencies import AccountsDep
from gateway.web.pages import signed_in
from gateway.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/console/chats")
async def chats(request: Request, accounts: AccountsDep) -> Response:
    """The agent's live chats: presence, the queues of their departments, open chats, past chats."""
    me = await signed_in(request, accounts, staff=True)
    if isinstance(me, Response):
        return me
    # Transfers may go to any configured department, not only the agent's own.
    configured = list(request.app.state.settings.departments)
    return render(
        request,
        "console/chats.html",
        title="console_chat_title",
        principal=me,
        departments=list(me.departments),
        configured=configured,
    )

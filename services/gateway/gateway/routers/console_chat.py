"""The agents' side of the chat: the console's socket, past chats and their transcripts."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, WebSocket, status
from starlette.responses import StreamingResponse

from contracts.chat import ConversationListV1, ConversationV1
from contracts.chat_queries import GetConversationV1, SearchChatsV1
from contracts.files import OwnerKind
from contracts.subjects import GET_CONVERSATION_V1, SEARCH_CHATS_V1
from gateway.auth import CurrentAgent
from gateway.chat import logins
from gateway.chat.access import agent_of, origin_of, still_live
from gateway.chat.agent import AgentSession
from gateway.dependencies import AccountsDep, BusDep
from gateway.domain.language import negotiate
from gateway.domain.principal import Principal
from gateway.files.calls import AttachmentsDep, FileName
from gateway.files.models import RAW_BODY, AttachmentOut, attachment_out
from gateway.openapi import MAX_OFFSET, NO_NUL, ApiId, documented
from gateway.routers.chat import limits, serve
from gateway.routers.chat_files import shared_in
from plumbing.bus import Bus
from plumbing.errors import NotFound

router = APIRouter(
    prefix="/api/v1/agent/chats", tags=["chat (agent)"], responses=documented(401, 403, 422, 503, 504)
)


@router.get("")
async def search(
    me: CurrentAgent,
    bus: BusDep,
    q: Annotated[str | None, Query(max_length=200, pattern=NO_NUL)] = None,
    department: Annotated[str | None, Query(max_length=100, pattern=NO_NUL)] = None,
    # As chat takes it (any other was a 500: the query could not be built); NUL: see NO_NUL.
    customer_email: Annotated[str | None, Query(max_length=254, pattern=r"^[^@\s\x00]+@[^@\s\x00]+$")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, Any]:
    """Past and present chats of the agent's departments, by words of the transcript or customer."""
    departments = [d for d in me.departments if department in (None, d)]
    if not departments:
        return {"conversations": [], "total": 0}
    found = await bus.request(
        SEARCH_CHATS_V1,
        SearchChatsV1(
            q=q, departments=departments, customer_email=customer_email, limit=limit, offset=offset
        ),
        ConversationListV1,
    )
    return {"conversations": [c.model_dump(mode="json") for c in found.conversations], "total": found.total}


@router.get("/{conversation_id}", responses=documented(404))
async def transcript(conversation_id: ApiId, me: CurrentAgent, bus: BusDep) -> dict[str, Any]:
    """A chat with every entry, if it belongs to one of the agent's departments (404 otherwise)."""
    found = await bus.request(
        GET_CONVERSATION_V1, GetConversationV1(conversation_id=conversation_id), ConversationV1
    )
    if found.conversation.department not in me.departments:
        raise NotFound("conversation_not_found")
    return {
        "conversation": found.conversation.model_dump(mode="json"),
        "entries": [e.model_dump(mode="json") for e in found.entries],
    }


@router.websocket("/socket")
async def socket(websocket: WebSocket, bus: BusDep, accounts: AccountsDep) -> None:
    """The console's live chat (protocol: docs/chat-protocol.md). 1008: no, bad or expired credential, or log-out."""
    settings = websocket.app.state.settings
    found = await agent_of(websocket, accounts, origin_of(settings.public_url))
    await websocket.accept()
    if found is None:
        await websocket.close(code=1008, reason="log in as an agent (or a foreign origin)")
        return
    me, credential = found
    language = negotiate(websocket.headers.get("accept-language"))
    # Logging out (or the credential ending anyhow) closes the socket: it must not outlive its log-in.
    watcher = asyncio.create_task(logins.watch(websocket, lambda: still_live(accounts, credential)))
    try:
        with websocket.app.state.socket_logins.held(credential.secret, websocket):
            await serve(websocket, AgentSession(bus, websocket, language, limits(settings), me, accounts))
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher


async def _of_my_departments(bus: Bus, me: Principal, conversation_id: str) -> ConversationV1:
    """The conversation without its entries, if it is of one of the agent's departments; 404 otherwise."""
    found = await bus.request(
        GET_CONVERSATION_V1, GetConversationV1(conversation_id=conversation_id, entries=False), ConversationV1
    )
    if found.conversation.department not in me.departments:
        raise NotFound("conversation_not_found")
    return found


@router.post(
    "/{conversation_id}/attachments",
    status_code=status.HTTP_201_CREATED,
    responses=documented(404, 413, 415),
    openapi_extra=RAW_BODY,
)
async def upload(
    conversation_id: ApiId,
    request: Request,
    filename: FileName,
    me: CurrentAgent,
    bus: BusDep,
    files: AttachmentsDep,
) -> AttachmentOut:
    """A file for one of the department's chats; then send a message frame with its id."""
    await _of_my_departments(bus, me, conversation_id)
    stored = await files.upload(me.account_id, request, filename, conversation_id, OwnerKind.CONVERSATION)
    return attachment_out(stored, f"{router.prefix}/{conversation_id}/attachments/{stored.attachment_id}")


@router.get(
    "/{conversation_id}/attachments/{attachment_id}",
    responses=documented(404),
    response_class=StreamingResponse,
)
async def download(
    conversation_id: ApiId, attachment_id: ApiId, me: CurrentAgent, bus: BusDep, files: AttachmentsDep
) -> StreamingResponse:
    """A file shared in one of the department's chats."""
    await _of_my_departments(bus, me, conversation_id)
    await shared_in(bus, conversation_id, attachment_id)
    return await files.stream(attachment_id)

"""Files in a chat: the customer uploads with the resume token, and downloads what was shared in it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, status
from starlette.responses import StreamingResponse

from contracts.chat import ConversationV1
from contracts.chat_queries import GetConversationV1
from contracts.files import OwnerKind
from contracts.subjects import GET_CONVERSATION_V1
from gateway.auth import principal_if_any
from gateway.chat.tokens import Visitor
from gateway.dependencies import AccountsDep, BusDep
from gateway.files.calls import AttachmentsDep, FileName
from gateway.files.models import RAW_BODY, AttachmentOut, attachment_out
from gateway.openapi import ApiId, documented
from plumbing.bus import Bus, RemoteError
from plumbing.errors import NotFound

router = APIRouter(prefix="/api/v1/chat", tags=["chat (customer)"], responses=documented(422, 503, 504))


def visitor_of(request: Request, conversation_id: str, token: str | None) -> Visitor:
    """The visitor whose resume token opens this conversation; 404 for anything else."""
    visitor: Visitor | None = request.app.state.chat_tokens.read(token or "")
    if visitor is None or visitor.conversation_id != conversation_id:
        raise NotFound("conversation_not_found")
    return visitor


ChatToken = Annotated[
    str | None, Header(alias="X-Chat-Token", max_length=2000, description="The resume token.")
]


@router.post(
    "/conversations/{conversation_id}/attachments",
    status_code=status.HTTP_201_CREATED,
    responses=documented(404, 413, 415),
    openapi_extra=RAW_BODY,
)
async def upload(
    conversation_id: ApiId,
    request: Request,
    filename: FileName,
    files: AttachmentsDep,
    token: ChatToken = None,
) -> AttachmentOut:
    """A file for the chat (same rules as every upload); then send a message frame with its id."""
    visitor = visitor_of(request, conversation_id, token)
    stored = await files.upload(visitor.email, request, filename, conversation_id, OwnerKind.CONVERSATION)
    url = f"{router.prefix}/conversations/{conversation_id}/attachments/{stored.attachment_id}"
    return attachment_out(stored, url)


@router.get(
    "/conversations/{conversation_id}/attachments/{attachment_id}",
    responses=documented(404),
    response_class=StreamingResponse,
)
async def download(
    conversation_id: ApiId,
    attachment_id: ApiId,
    request: Request,
    bus: BusDep,
    accounts: AccountsDep,
    files: AttachmentsDep,
    token: Annotated[str | None, Query(max_length=2000)] = None,
) -> StreamingResponse:
    """A file of the chat: for its visitor (the resume token: a link cannot carry headers) or, later
    (a transcript's link), for the customer logged in with that verified address."""
    visitor = request.app.state.chat_tokens.read(token or "")
    found = await shared_in(bus, conversation_id, attachment_id)
    if visitor is None or visitor.conversation_id != conversation_id:
        me = await principal_if_any(request, accounts)
        if me is None or not me.email_verified or me.email != found.conversation.customer_email:
            raise NotFound("attachment_not_found")
    return await files.stream(attachment_id)


async def shared_in(bus: Bus, conversation_id: str, attachment_id: str) -> ConversationV1:
    """The conversation, if the file was shared in it; 404 ``attachment_not_found`` otherwise, an unknown
    conversation included (a stranger learns nothing of which conversations exist)."""
    try:
        found: ConversationV1 = await bus.request(
            GET_CONVERSATION_V1,
            GetConversationV1(conversation_id=conversation_id, attachment_id=attachment_id),
            ConversationV1,
        )
    except RemoteError as refused:
        if refused.code == "404":
            raise NotFound("attachment_not_found") from None
        raise
    if not any(entry.attachment_id == attachment_id for entry in found.entries):
        raise NotFound("attachment_not_found")
    return found

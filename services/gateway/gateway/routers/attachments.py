"""Attachments of tickets: upload (streamed, raw body) and download, for customers and agents.

A file is uploaded first, for a ticket, and then named by id in the ticket, reply or note that
carries it. For a ticket not opened yet, upload with the Idempotency-Key the ticket will be
opened with: that key names the ticket in advance.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, status
from starlette.responses import StreamingResponse

from contracts.tickets import ticket_id_for
from gateway.auth import CurrentAgent, CurrentCustomer
from gateway.domain.principal import Principal
from gateway.files.calls import AttachmentCalls, AttachmentsDep, FileName
from gateway.files.models import RAW_BODY, AttachmentOut, attachment_out
from gateway.openapi import ApiId, documented
from gateway.tickets.calls import Calls, TicketCalls, request_id

_REFUSALS = documented(
    413,
    415,
    e413="`too_large`: over the size limit (10 MB by default); refused before reading when Content-Length says so.",
    e415="`extension_not_allowed` (not on the allowed list) or `content_mismatch` (not what its name says).",
    e422="`empty`, `archive_too_large`, `archive_ratio`, `archive_too_many_entries`, `archive_broken`, "
    "`image_too_large`, `image_broken`, `office_broken`, `pdf_broken`, `not_text`, `infected`.",
)
_DOWNLOAD: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/octet-stream": {}}, "description": "The file, as an attachment."}
}
NewTicketKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=100,
        pattern=r"^[\x21-\x7e]+$",
        description="The key the new ticket will be opened with (POST /api/v1/tickets).",
    ),
]

customer = APIRouter(
    prefix="/api/v1/tickets", tags=["attachments"], responses=documented(401, 403, 404, 422, 503, 504)
)
agent = APIRouter(
    prefix="/api/v1/agent/tickets", tags=["attachments"], responses=documented(401, 403, 404, 422, 503, 504)
)


@customer.post(
    "/new/attachments",
    status_code=status.HTTP_201_CREATED,
    responses=_REFUSALS,
    openapi_extra=RAW_BODY,
    summary="Attach a file to the ticket about to be opened",
)
async def upload_for_new_ticket(
    request: Request, filename: FileName, key: NewTicketKey, me: CurrentCustomer, files: AttachmentsDep
) -> AttachmentOut:
    """Upload before opening; then open with the same Idempotency-Key and these ids in attachment_ids."""
    ticket_id = ticket_id_for(request_id(me, key, "open"))
    stored = await files.upload(me.account_id, request, filename, ticket_id)
    return attachment_out(stored, f"{customer.prefix}/{ticket_id}/attachments/{stored.attachment_id}")


@customer.post(
    "/{ticket_id}/attachments",
    status_code=status.HTTP_201_CREATED,
    responses=_REFUSALS,
    openapi_extra=RAW_BODY,
    summary="Attach a file to a reply",
)
async def upload_for_reply(
    ticket_id: ApiId,
    request: Request,
    filename: FileName,
    me: CurrentCustomer,
    calls: Calls,
    files: AttachmentsDep,
) -> AttachmentOut:
    """Upload, then send the reply with these ids in attachment_ids."""
    return await _to_ticket(me, ticket_id, request, filename, calls, files, customer.prefix)


@customer.get(
    "/{ticket_id}/attachments/{attachment_id}", responses=_DOWNLOAD, response_class=StreamingResponse
)
async def download(
    ticket_id: ApiId, attachment_id: ApiId, me: CurrentCustomer, files: AttachmentsDep
) -> StreamingResponse:
    """A file of the ticket's public history."""
    return await files.download(me, ticket_id, attachment_id)


@agent.post(
    "/{ticket_id}/attachments",
    status_code=status.HTTP_201_CREATED,
    responses=_REFUSALS,
    openapi_extra=RAW_BODY,
    summary="Attach a file to a reply or note",
)
async def agent_upload(
    ticket_id: ApiId,
    request: Request,
    filename: FileName,
    me: CurrentAgent,
    calls: Calls,
    files: AttachmentsDep,
) -> AttachmentOut:
    """Upload, then send the reply or note with these ids in attachment_ids."""
    return await _to_ticket(me, ticket_id, request, filename, calls, files, agent.prefix)


@agent.get("/{ticket_id}/attachments/{attachment_id}", responses=_DOWNLOAD, response_class=StreamingResponse)
async def agent_download(
    ticket_id: ApiId, attachment_id: ApiId, me: CurrentAgent, files: AttachmentsDep
) -> StreamingResponse:
    """A file of the ticket's history, internal notes included."""
    return await files.download(me, ticket_id, attachment_id)


async def _to_ticket(
    me: Principal,
    ticket_id: str,
    request: Request,
    filename: str,
    calls: TicketCalls,
    files: AttachmentCalls,
    prefix: str,
) -> AttachmentOut:
    """Store a file for a ticket ``me`` may see (404 otherwise); its link under ``prefix``."""
    await calls.ticket(me, ticket_id)
    stored = await files.upload(me.account_id, request, filename, ticket_id)
    return attachment_out(stored, f"{prefix}/{ticket_id}/attachments/{stored.attachment_id}")

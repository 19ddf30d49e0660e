"""Attachment calls as one principal: upload to a ticket, check references, download what may be seen."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated
from urllib.parse import quote, unquote

import nats.errors
from fastapi import Depends, Query, Request
from starlette.background import BackgroundTask
from starlette.responses import StreamingResponse

from contracts.files import Attachment, AttachmentListV1, DescribeAttachmentsV1, OwnerKind
from contracts.subjects import DESCRIBE_ATTACHMENTS_V1
from contracts.ticket_queries import TicketHistoryV1
from gateway.dependencies import BusDep
from gateway.domain.principal import Principal
from gateway.files.client import FilesClient
from gateway.files.models import AttachmentOut, attachment_out
from gateway.tickets.calls import Calls, TicketCalls
from plumbing.bus import Bus
from plumbing.errors import Invalid, NotFound, ServiceError, Unavailable
from plumbing.logging import get_logger

log = get_logger(__name__)
FileName = Annotated[
    str,
    Query(
        min_length=1, max_length=255, description="The file's name as the sender knows it, e.g. boleto.pdf."
    ),
]
# Downloads never render on our origin: the browser saves them, guesses no type, runs nothing.
_DOWNLOAD_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "private, no-store",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def _disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback and the UTF-8 name (RFC 6266)."""
    fallback = "".join(
        ch if ch.isascii() and ch.isprintable() and ch not in '"\\' else "_" for ch in filename
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


class AttachmentCalls:
    """One request's view of attachments."""

    def __init__(self, bus: Bus, files: FilesClient | None, tickets: TicketCalls) -> None:
        self.bus = bus
        self._files = files
        self.tickets = tickets

    @property
    def files(self) -> FilesClient:
        """The files service's private port (503 in an app built without it)."""
        if self._files is None:
            raise Unavailable()
        return self._files

    async def upload(
        self,
        uploader: str,
        request: Request,
        filename: str,
        owner_id: str,
        owner_kind: OwnerKind = OwnerKind.TICKET,
    ) -> Attachment:
        """Stream the request's body to files as an attachment of the owner, uploaded by ``uploader``."""
        length = request.headers.get("content-length")
        return await self.files.upload(
            request.stream(),
            filename=filename,
            owner_id=owner_id,
            owner_kind=owner_kind,
            uploaded_by=uploader,
            declared_size=int(length) if length and length.isdigit() else None,
        )

    async def check(
        self,
        uploader: str,
        owner_id: str,
        attachment_ids: Sequence[str],
        owner_kind: OwnerKind = OwnerKind.TICKET,
    ) -> None:
        """422 unless each id is an attachment ``uploader`` uploaded for this owner (no one else's files)."""
        if not attachment_ids:
            return
        mine = await uploaded_by(self.bus, uploader, owner_kind, owner_id, attachment_ids)
        errors = [
            {"field": f"attachment_ids.{index}", "reason": "attachment_unknown"}
            for index, attachment_id in enumerate(attachment_ids)
            if attachment_id not in mine
        ]
        if errors:
            raise Invalid("invalid", errors=errors)

    async def listed(self, history: TicketHistoryV1, prefix: str) -> list[AttachmentOut]:
        """The files named in a history (as the caller sees it), to show names and links beside it.

        Files being away must not hide the ticket: the list is then empty and the ids remain.
        """
        ids = list(dict.fromkeys(i for entry in history.entries for i in entry.attachment_ids))
        if not ids:
            return []
        try:
            found = await self.bus.request(
                DESCRIBE_ATTACHMENTS_V1, DescribeAttachmentsV1(attachment_ids=ids), AttachmentListV1
            )
        except (ServiceError, nats.errors.Error) as exc:
            log.warning("files.describe_failed", error=repr(exc))
            return []
        base = f"{prefix}/{history.ticket.ticket_id}/attachments"
        return [attachment_out(a, f"{base}/{a.attachment_id}") for a in found.attachments]

    async def download(self, me: Principal, ticket_id: str, attachment_id: str) -> StreamingResponse:
        """The file, if it is part of what ``me`` may see of the ticket; 404 otherwise (no hints)."""
        found = await self.tickets.history(me, ticket_id, attachment_id)  # internal entries only for agents
        if not any(attachment_id in entry.attachment_ids for entry in found.entries):
            raise NotFound("attachment_not_found")
        return await self.stream(attachment_id)

    async def stream(self, attachment_id: str) -> StreamingResponse:
        """The file's bytes as a download (the caller has checked that it may be seen)."""
        upstream = await self.files.open_download(attachment_id)
        filename = upstream.headers.get("x-attachment-filename", "arquivo")
        headers = {
            **_DOWNLOAD_HEADERS,
            "Content-Disposition": _disposition(unquote(filename)),
            "Content-Length": upstream.headers.get("content-length", ""),
        }
        if not headers["Content-Length"]:
            del headers["Content-Length"]
        return StreamingResponse(
            upstream.aiter_raw(),
            media_type=upstream.headers.get("content-type", "application/octet-stream"),
            headers=headers,
            background=BackgroundTask(upstream.aclose),
        )


async def uploaded_by(
    bus: Bus, uploader: str, owner_kind: OwnerKind, owner_id: str, attachment_ids: Sequence[str]
) -> set[str]:
    """Those of ``attachment_ids`` that ``uploader`` stored for this owner."""
    found = await bus.request(
        DESCRIBE_ATTACHMENTS_V1, DescribeAttachmentsV1(attachment_ids=list(attachment_ids)), AttachmentListV1
    )
    return {
        a.attachment_id
        for a in found.attachments
        if a.owner_kind is owner_kind and a.owner_id == owner_id and a.uploaded_by == uploader
    }


async def attachment_calls(request: Request, bus: BusDep, tickets: Calls) -> AttachmentCalls:
    """The dependency routers use."""
    return AttachmentCalls(bus, getattr(request.app.state, "files", None), tickets)


AttachmentsDep = Annotated[AttachmentCalls, Depends(attachment_calls)]

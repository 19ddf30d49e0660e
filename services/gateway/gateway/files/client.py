"""The files service's private HTTP port, where attachment bytes go in and come out (streamed)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx

from contracts.files import Attachment, OwnerKind
from plumbing.errors import ServiceError, Unavailable
from plumbing.logging import get_logger
from plumbing.ops import CLIENT_KEEP_ALIVE_S

log = get_logger(__name__)


def _refusal(response: httpx.Response) -> ServiceError:
    """The files service's refusal as the gateway's errors speak it (the field at fault is the file)."""
    try:
        body: dict[str, Any] = response.json()
    except ValueError:
        body = {}
    if response.status_code >= 500 or response.status_code in (400, 401) or "error" not in body:
        log.warning("files.refused_call", status=response.status_code, error=body.get("error"))
        return Unavailable()
    reason = str(body["error"])
    field = {"field": "file", "reason": reason, "limit": body.get("limit")}
    return ServiceError(str(response.status_code), reason, {"errors": [field]})


# httpx's default pool sizes, but idle connections are dropped before the files service closes them.
LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=CLIENT_KEEP_ALIVE_S)


class FilesClient:
    """Streams uploads in and downloads out; memory stays at one chunk per request."""

    def __init__(self, base_url: str, token: str) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        # No overall timeout: a 10 MB upload over a slow phone link takes its time; a stalled one does not.
        timeout = httpx.Timeout(30.0, connect=5.0)
        self.http = httpx.AsyncClient(base_url=base_url, headers=headers, timeout=timeout, limits=LIMITS)

    async def close(self) -> None:
        """Close the connection pool."""
        await self.http.aclose()

    async def upload(
        self,
        body: AsyncIterator[bytes],
        *,
        filename: str,
        owner_id: str,
        uploaded_by: str,
        declared_size: int | None,
        owner_kind: OwnerKind = OwnerKind.TICKET,
    ) -> Attachment:
        """Send ``body`` to files; the stored attachment, or its refusal raised as a ServiceError."""
        params = {
            "filename": filename,
            "owner_kind": owner_kind.value,
            "owner_id": owner_id,
            "uploaded_by": uploaded_by,
        }
        headers = {"Content-Length": str(declared_size)} if declared_size is not None else {}
        try:
            response = await self.http.post("/v1/attachments", params=params, content=body, headers=headers)
        except httpx.TransportError as exc:
            log.warning("files.unreachable", error=repr(exc))
            raise Unavailable() from exc
        if response.status_code != 201:
            raise _refusal(response)
        return Attachment.model_validate(response.json())

    async def open_download(self, attachment_id: str) -> httpx.Response:
        """The open response of an attachment's bytes; the caller streams it and must close it."""
        request = self.http.build_request("GET", f"/v1/attachments/{attachment_id}/content")
        try:
            response = await self.http.send(request, stream=True)
        except httpx.TransportError as exc:
            log.warning("files.unreachable", error=repr(exc))
            raise Unavailable() from exc
        if response.status_code != 200:
            await response.aread()
            await response.aclose()
            raise _refusal(response)
        return response

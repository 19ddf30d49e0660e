"""The private HTTP port where bytes come in and go out (only the gateway and mail-ingest reach it).

Metadata travels over NATS; file bytes never do, so they take this door instead.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from contracts.files import OwnerKind
from files.adapters.catalog import Catalog
from files.adapters.storage import Storage
from files.domain.policy import safe_name
from files.uploads import Refused, Upload, Uploads
from plumbing.errors import DATABASE_AWAY, ServiceError

# Size refusals are 413 and type refusals 415, as HTTP names them; every other rule is a 422.
_STATUS = {"too_large": 413, "extension_not_allowed": 415, "content_mismatch": 415}


def _error(status: int, reason: str, **detail: Any) -> JSONResponse:
    return JSONResponse({"error": reason, **detail}, status_code=status)


def _declared_size(request: Request) -> int | None:
    value = request.headers.get("content-length")
    return int(value) if value is not None and value.isdigit() else None


def _upload(request: Request) -> Upload:
    query = request.query_params
    return Upload(
        filename=query["filename"],
        owner_kind=OwnerKind(query["owner_kind"]),
        owner_id=query["owner_id"],
        uploaded_by=query["uploaded_by"],
        declared_size=_declared_size(request),
        attachment_id=query.get("attachment_id") or None,
    )


def internal_app(uploads: Uploads, catalog: Catalog, storage: Storage, token: str) -> Starlette:
    """POST /v1/attachments (raw body) and GET /v1/attachments/{id}/content."""

    def authorised(request: Request) -> bool:
        given = request.headers.get("authorization", "").removeprefix("Bearer ")
        return not token or hmac.compare_digest(given.encode(), token.encode())

    async def receive(request: Request) -> Response:
        if not authorised(request):
            return _error(401, "unauthorized")
        try:
            upload = _upload(request)
        except (KeyError, ValueError) as exc:
            return _error(400, "invalid", detail=f"query: {exc}")
        try:
            attachment = await uploads.receive(upload, request.stream())
        except Refused as refused:
            rule = refused.refusal
            status = _STATUS.get(rule.code, 422)
            return _error(
                status, rule.code, limit=rule.limit, detail=rule.detail, filename=safe_name(upload.filename)
            )
        except ClientDisconnect:
            return Response(status_code=400)  # nobody reads it; nothing was recorded
        except ServiceError as exc:
            return _error(int(exc.code), exc.reason)
        except DATABASE_AWAY:
            return _error(503, "unavailable")
        except ValidationError as exc:  # e.g. an owner id the contracts refuse
            return _error(400, "invalid", detail=str(exc.errors()[0]["loc"]))
        return JSONResponse(attachment.model_dump(mode="json"), status_code=201)

    async def content(request: Request) -> Response:
        if not authorised(request):
            return _error(401, "unauthorized")
        found = await catalog.find(request.path_params["attachment_id"])
        if found is None:
            return _error(404, "not_found")
        chunks = storage.chunks(found.storage_key)
        try:
            first = await asyncio.to_thread(next, chunks, b"")  # S3 errors surface here, as a 503
        except Exception:
            return _error(503, "storage_unavailable")

        async def rest() -> AsyncIterator[bytes]:
            try:
                yield first
                while chunk := await asyncio.to_thread(next, chunks, b""):
                    yield chunk
            finally:  # also when the reader went away: the S3 connection goes back to the pool
                await asyncio.to_thread(chunks.close)

        attachment = found.attachment
        headers = {
            "Content-Length": str(attachment.size),
            "ETag": f'"{attachment.sha256}"',
            "X-Attachment-Filename": quote(attachment.filename),
        }
        return StreamingResponse(rest(), media_type=attachment.content_type, headers=headers)

    return Starlette(
        routes=[
            Route("/v1/attachments", receive, methods=["POST"]),
            Route("/v1/attachments/{attachment_id}/content", content, methods=["GET"]),
        ]
    )

"""The one place where failures become HTTP responses: status, reason code, fields, in pt-BR or English."""

from __future__ import annotations

from typing import Any

import nats.errors
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from gateway.domain.language import negotiate
from gateway.domain.messages import text
from plumbing.errors import ServiceError
from plumbing.logging import get_logger

log = get_logger(__name__)
# Reason codes for the HTTP layer's own refusals (unknown path, wrong method, ...).
_HTTP_REASONS = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}


def _body(request: Request, reason: str, fields: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    language = negotiate(request.headers.get("accept-language"))
    body: dict[str, Any] = {"error": reason, "message": text(reason, language)}
    if fields:
        body["fields"] = [{**field, "message": text(field["reason"], language)} for field in fields]
    return body


def install(app: FastAPI) -> None:
    """Register the exception handlers; never a 200 with an error body, never a bare 500 page."""

    @app.exception_handler(ServiceError)
    async def service_error(request: Request, exc: ServiceError) -> JSONResponse:
        status = int(exc.code) if exc.code.isdigit() and 400 <= int(exc.code) < 600 else 502
        fields = exc.detail.get("errors") if isinstance(exc.detail.get("errors"), list) else None
        return JSONResponse(_body(request, exc.reason, fields), status_code=status)

    @app.exception_handler(HTTPException)
    async def http_refusal(request: Request, exc: HTTPException) -> JSONResponse:
        reason = _HTTP_REASONS.get(exc.status_code, "http_error")
        return JSONResponse(_body(request, reason), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = [
            {"field": ".".join(str(part) for part in error["loc"] if part != "body"), "reason": error["type"]}
            for error in exc.errors()
        ]
        return JSONResponse(_body(request, "invalid", fields), status_code=422)

    @app.exception_handler(nats.errors.TimeoutError)
    async def timeout(request: Request, exc: nats.errors.TimeoutError) -> JSONResponse:
        return JSONResponse(_body(request, "timeout"), status_code=504)

    @app.exception_handler(nats.errors.NoRespondersError)
    async def no_responders(request: Request, exc: nats.errors.NoRespondersError) -> JSONResponse:
        return JSONResponse(_body(request, "unavailable"), status_code=503, headers={"Retry-After": "5"})

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("http.unhandled", path=request.url.path)
        return JSONResponse(_body(request, "internal_error"), status_code=500)

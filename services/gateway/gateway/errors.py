"""The one place where failures become HTTP responses: status, reason code, fields, in pt-BR or English."""

from __future__ import annotations

import re
from typing import Any

import nats.errors
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.domain.language import negotiate
from gateway.domain.messages import text
from gateway.openapi import ErrorBody, documented
from plumbing.errors import DATABASE_AWAY, ServiceError
from plumbing.logging import get_logger

__all__ = ["ErrorBody", "UnexpectedErrors", "documented", "install"]  # routers document refusals with these
log = get_logger(__name__)
# Reason codes for the HTTP layer's own refusals (unknown path, wrong method, ...).
_HTTP_REASONS = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}
# A reason from a service reaches the client only if it looks like one of our codes.
_REASON_CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_GENERIC_REASONS = {404: "not_found", 409: "conflict", 422: "invalid", 503: "unavailable"}
RETRY_AWAY_S = "2"  # Retry-After of a 503 while a database or a service is away


def _body(headers: Headers, reason: str, fields: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    language = negotiate(headers.get("accept-language"))
    body: dict[str, Any] = {"error": reason, "message": text(reason, language)}
    if fields:
        body["fields"] = [{**field, "message": text(str(field.get("reason")), language)} for field in fields]
    return body


def _service_refusal(exc: ServiceError) -> tuple[int, str, list[dict[str, Any]] | None]:
    """Status, reason and fields for a service's refusal; 5xx and odd reasons say nothing inside."""
    status = int(exc.code) if exc.code.isdigit() and 400 <= int(exc.code) < 600 else 502
    if status >= 500:
        return status, "unavailable" if status == 503 else "internal_error", None
    reason = exc.reason if _REASON_CODE.match(exc.reason) else _GENERIC_REASONS.get(status, "invalid")
    errors = exc.detail.get("errors")
    fields = [f for f in errors if isinstance(f, dict) and "field" in f] if isinstance(errors, list) else None
    return status, reason, fields


def install(app: FastAPI) -> None:
    """Register the exception handlers; never a 200 with an error body, never a bare error page."""

    @app.exception_handler(ServiceError)
    async def service_error(request: Request, exc: ServiceError) -> JSONResponse:
        status, reason, fields = _service_refusal(exc)
        if status >= 500:
            log.error("http.service_failed", code=exc.code, reason=exc.reason)
        # A 401 names the scheme that would have worked (RFC 6750); cookies need no challenge.
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
        body = _body(request.headers, reason, fields)
        wait = exc.detail.get("retry_after_s")
        if status == 429 and isinstance(wait, int):
            # "rate_limited" alone is the chat socket's flooding; over HTTP, say when to come back.
            body["message"] = text("too_many_requests", negotiate(request.headers.get("accept-language")))
            body["retry_after_s"] = wait
            headers["Retry-After"] = str(wait)
        if status == 503:
            # A dependency away (e.g. PostgreSQL restarting): the request may be sent again shortly.
            headers["Retry-After"] = RETRY_AWAY_S
        if status == 409 and isinstance(exc.detail.get("current"), dict):
            body["current"] = exc.detail["current"]  # what the caller should look at before retrying
        return JSONResponse(body, status_code=status, headers=headers or None)

    @app.exception_handler(HTTPException)
    async def http_refusal(request: Request, exc: HTTPException) -> JSONResponse:
        if exc.status_code == 400:
            # FastAPI's answer to a body it cannot even decode (not UTF-8): the 422 malformed JSON gets.
            fields = [{"field": "body", "reason": "json_invalid"}]
            return JSONResponse(_body(request.headers, "invalid", fields), status_code=422)
        reason = _HTTP_REASONS.get(exc.status_code, "http_error")
        return JSONResponse(_body(request.headers, reason), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = [
            {"field": ".".join(str(part) for part in error["loc"] if part != "body"), "reason": error["type"]}
            for error in exc.errors()
        ]
        return JSONResponse(_body(request.headers, "invalid", fields), status_code=422)

    @app.exception_handler(nats.errors.TimeoutError)
    async def timeout(request: Request, exc: nats.errors.TimeoutError) -> JSONResponse:
        return JSONResponse(_body(request.headers, "timeout"), status_code=504)

    @app.exception_handler(nats.errors.NoRespondersError)
    async def no_responders(request: Request, exc: nats.errors.NoRespondersError) -> JSONResponse:
        return JSONResponse(
            _body(request.headers, "unavailable"), status_code=503, headers={"Retry-After": "5"}
        )

    for away in DATABASE_AWAY:

        @app.exception_handler(away)
        async def database_away(request: Request, exc: Exception) -> JSONResponse:
            log.warning("http.database_unavailable", error=repr(exc))
            return JSONResponse(
                _body(request.headers, "unavailable"), status_code=503, headers={"Retry-After": RETRY_AWAY_S}
            )


class UnexpectedErrors:
    """Turns an unhandled exception into a JSON 500, logged inside the request's correlation context.

    Starlette would handle it in its outermost middleware, outside our correlation id; this sits
    just inside CorrelationMiddleware instead.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("http.unhandled", path=scope.get("path"))
            if started:
                raise  # too late for a clean answer; the server closes the connection
            response = JSONResponse(_body(Headers(scope=scope), "internal_error"), status_code=500)
            await response(scope, receive, send)

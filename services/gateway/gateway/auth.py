"""Who is calling: the session cookie (with CSRF on unsafe methods) or a bearer token → a Principal.

Routers declare what they need: ``CurrentPrincipal`` (any account, else 401), ``CurrentCustomer``
(403 for staff), ``CurrentAgent`` (agents and admins, 403 for customers), ``CurrentAdmin`` (admins
only, 403 for customers and agents).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, Request, Response
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from gateway.accounts.credentials import digest, same
from gateway.accounts.service import Accounts, LoggedIn
from gateway.dependencies import AccountsDep
from gateway.domain.accounts import ADMIN
from gateway.domain.principal import Principal
from plumbing.errors import ServiceError

__all__ = ["CurrentAdmin", "CurrentAgent", "CurrentCustomer", "CurrentPrincipal", "Principal"]

SESSION_COOKIE, CSRF_COOKIE, CSRF_HEADER = "atende_session", "atende_csrf", "X-CSRF-Token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# auto_error=False: a missing credential is our own 401 (localised); these also document the schemes.
_session_cookie = APIKeyCookie(
    name=SESSION_COOKIE,
    auto_error=False,
    description=f"Browser session (set by POST /api/v1/session). Unsafe methods also need {CSRF_HEADER}.",
)
_bearer = HTTPBearer(auto_error=False, description="API token from POST /api/v1/tokens; no CSRF needed.")


@dataclass(frozen=True)
class Credential:
    """The secret a request authenticated with (log-out ends exactly that one)."""

    kind: Literal["session", "token"]
    secret: str


def unauthorized() -> ServiceError:
    """No credential, or one that is unknown, expired or revoked."""
    return ServiceError("401", "unauthorized")


def _check_csrf(request: Request, csrf_hash: bytes) -> None:
    """Double submit, bound to the session: header = cookie, and it is the token issued with the session."""
    header = request.headers.get(CSRF_HEADER, "")
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not header or not same(header, cookie) or not hmac.compare_digest(digest(header), csrf_hash):
        raise ServiceError("403", "csrf_failed")


async def current_principal(
    request: Request,
    accounts: AccountsDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    session: Annotated[str | None, Depends(_session_cookie)],
) -> Principal:
    """The caller's principal; a bearer token wins over a cookie (browsers never add one on their own)."""
    if bearer is not None:
        found = await accounts.bearer(bearer.credentials)
        if found is None:
            raise unauthorized()
        request.state.credential = Credential("token", bearer.credentials)
        return found
    if session:
        live = await accounts.session(session)
        if live is None:
            raise unauthorized()
        principal, csrf_hash = live
        if request.method in UNSAFE_METHODS:
            _check_csrf(request, csrf_hash)
        request.state.credential = Credential("session", session)
        return principal
    raise unauthorized()


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


async def principal_if_any(request: Request, accounts: Accounts) -> Principal | None:
    """The caller's principal on a safe (GET) request, or None when there is no valid credential."""
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        return await accounts.bearer(authorization[7:].strip())
    if session := request.cookies.get(SESSION_COOKIE):
        live = await accounts.session(session)
        return live[0] if live is not None else None
    return None


async def current_customer(principal: CurrentPrincipal) -> Principal:
    """A customer's principal; staff are refused (403)."""
    if principal.kind != "customer":
        raise ServiceError("403", "forbidden")
    return principal


async def current_agent(principal: CurrentPrincipal) -> Principal:
    """An agent's or an admin's principal; customers are refused (403)."""
    if not principal.is_staff:
        raise ServiceError("403", "forbidden")
    return principal


async def current_admin(principal: CurrentPrincipal) -> Principal:
    """An admin's principal; customers and agents are refused (403)."""
    if principal.kind != ADMIN:
        raise ServiceError("403", "forbidden")
    return principal


CurrentCustomer = Annotated[Principal, Depends(current_customer)]
CurrentAgent = Annotated[Principal, Depends(current_agent)]
CurrentAdmin = Annotated[Principal, Depends(current_admin)]


def set_session_cookies(response: Response, logged_in: LoggedIn, secure: bool) -> None:
    """The session (HttpOnly) and its CSRF token (readable by the page's script), same lifetime."""
    for name, value, http_only in (
        (SESSION_COOKIE, logged_in.session, True),
        (CSRF_COOKIE, logged_in.csrf_token, False),
    ):
        response.set_cookie(
            name,
            value,
            max_age=logged_in.max_age_s,
            path="/",
            secure=secure,
            httponly=http_only,
            samesite="lax",
        )


def clear_session_cookies(response: Response, secure: bool) -> None:
    """Tell the browser to forget both cookies."""
    for name, http_only in ((SESSION_COOKIE, True), (CSRF_COOKIE, False)):
        response.delete_cookie(name, path="/", secure=secure, httponly=http_only, samesite="lax")

"""Logging in and out, who am I, and API tokens for scripts."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request, Response, status

from gateway.accounts import tokens
from gateway.accounts.models import LogIn, Me, SessionOpened, TokenInfo, TokenIssued, TokenRequest
from gateway.auth import Credential, CurrentPrincipal, clear_session_cookies, set_session_cookies
from gateway.dependencies import AccountsDep
from gateway.openapi import documented
from gateway.ratelimit import http as limits
from plumbing.errors import ServiceError

router = APIRouter(prefix="/api/v1", tags=["session"])


@router.post(
    "/session",
    responses=documented(
        401,
        422,
        429,
        503,
        e401="`invalid_credentials`: the same for an unknown address and a wrong password.",
        e429="`rate_limited`: too many attempts from this IP, or failed ones for this email (the same"
        " for an unknown one); the wait doubles with each further failure, up to 15 min.",
    ),
)
async def log_in(form: LogIn, request: Request, response: Response, accounts: AccountsDep) -> SessionOpened:
    """Log in: sets the HttpOnly session cookie and the CSRF cookie; answers the account and the CSRF token."""
    attempt = await limits.log_in_attempt(request, form.email)
    try:
        logged_in = await accounts.log_in(form.email, form.password)
    except ServiceError as refused:
        if attempt is not None and refused.reason == "invalid_credentials":
            await attempt.failed()
        raise
    if attempt is not None:
        await attempt.succeeded()
    set_session_cookies(response, logged_in, accounts.settings.cookie_secure)
    return SessionOpened(principal=Me.of(logged_in.principal), csrf_token=logged_in.csrf_token)


@router.delete("/session", status_code=status.HTTP_204_NO_CONTENT, responses=documented(401, 403, 503))
async def log_out(
    principal: CurrentPrincipal, request: Request, response: Response, accounts: AccountsDep
) -> None:
    """Log out: ends the credential this request used (the session, or the bearer token), closes the console
    sockets opened with it, and clears the cookies."""
    credential: Credential = request.state.credential
    if credential.kind == "session":
        await accounts.log_out(credential.secret)
    else:
        await tokens.revoke(accounts, principal, token=credential.secret)
    await request.app.state.socket_logins.ended(credential.secret)  # its console sockets close too
    clear_session_cookies(response, accounts.settings.cookie_secure)


@router.get("/me", responses=documented(401, 503))
async def me(principal: CurrentPrincipal) -> Me:
    """The logged-in account."""
    return Me.of(principal)


@router.post("/tokens", status_code=status.HTTP_201_CREATED, responses=documented(401, 403, 422, 503))
async def create_token(form: TokenRequest, principal: CurrentPrincipal, accounts: AccountsDep) -> TokenIssued:
    """Create an API token for the logged-in account (valid 90 days); its secret is shown only now."""
    issued = await tokens.issue(accounts, principal, form.name)
    return TokenIssued(token=issued.token, **TokenInfo.of(issued.listed).model_dump())


@router.get("/tokens", responses=documented(401, 503))
async def list_tokens(principal: CurrentPrincipal, accounts: AccountsDep) -> list[TokenInfo]:
    """The logged-in account's live API tokens, newest first."""
    return [TokenInfo.of(token) for token in await tokens.listed(accounts, principal)]


@router.delete(
    "/tokens/{token_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=documented(
        401, 403, 404, 422, 503, e404="`token_not_found`: not one of this account's live tokens."
    ),
)
async def revoke_token(token_id: UUID, principal: CurrentPrincipal, accounts: AccountsDep) -> None:
    """Revoke one of the logged-in account's API tokens."""
    await tokens.revoke(accounts, principal, token_id=token_id)

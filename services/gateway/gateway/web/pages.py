"""The pages every visitor shares: the home of the support center (W4), log-in and the language switch."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from gateway.auth import principal_if_any
from gateway.dependencies import AccountsDep
from gateway.domain.language import ENGLISH, PORTUGUESE
from gateway.domain.principal import Principal
from gateway.web.rendering import LANGUAGE_COOKIE, local_path, render

router = APIRouter(include_in_schema=False)
ONE_YEAR_S = 365 * 24 * 3600


def home_of(principal: Principal) -> str:
    """Where an account lands after logging in: customers their requests, staff the console."""
    return "/console" if principal.is_staff else "/tickets"


async def signed_in(request: Request, accounts: AccountsDep, staff: bool) -> Principal | Response:
    """The page's visitor, or a redirect: to log in, or to their own side of the site."""
    principal = await principal_if_any(request, accounts)
    if principal is None:
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(here, safe='/')}", status_code=303)
    if principal.is_staff != staff:
        return RedirectResponse(home_of(principal), status_code=303)
    return principal


@router.get("/")
async def home(request: Request, accounts: AccountsDep) -> Response:
    """Sign up, log in or start a chat."""
    principal = await principal_if_any(request, accounts)
    return render(request, "home.html", title="brand", principal=principal)


@router.get("/login")
async def log_in(request: Request, next: Annotated[str | None, Query(max_length=500)] = None) -> Response:
    """The log-in form, for customers and staff alike."""
    return render(request, "login.html", title="log_in_title", next=local_path(next, ""))


@router.get("/language/{language}")
async def switch_language(
    language: str, next: Annotated[str | None, Query(max_length=500)] = None
) -> Response:
    """Remember the visitor's language and go back where they were."""
    response = RedirectResponse(local_path(next, "/"), status_code=303)
    if language in (PORTUGUESE, ENGLISH):
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=ONE_YEAR_S, path="/", samesite="lax")
    return response

"""The customer portal (guide 000): sign up, confirm the address, reset the password, follow requests.

Each route renders a page shell; its script fetches the data from the JSON API. The request and
chat pages also guard that the thing is the visitor's own, with the API's own access rules, so a
stranger's link answers a real 404 page instead of an empty shell.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

import nats.errors
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from contracts.chat import ConversationV1
from contracts.chat_queries import GetConversationV1
from contracts.subjects import GET_CONVERSATION_V1
from gateway.auth import principal_if_any
from gateway.dependencies import AccountsDep, BusDep
from gateway.domain.principal import Principal
from gateway.tickets.calls import TicketCalls
from gateway.web.pages import home_of, signed_in
from gateway.web.rendering import render
from plumbing.errors import NotFound, ServiceError

router = APIRouter(include_in_schema=False)
# Refusals that mean "not there for you": unknown, someone else's, or an id that cannot be one.
_ABSENT = {"404", "422"}
_ID_MAX = 200  # the longest id the services accept (contracts.common.Id)


async def _visitor_page(request: Request, accounts: AccountsDep, template: str, title: str) -> Response:
    """A page for anyone; a logged-in visitor sees their name and can log out."""
    principal = await principal_if_any(request, accounts)
    return render(request, template, title=title, principal=principal)


@router.get("/signup")
async def sign_up(request: Request, accounts: AccountsDep) -> Response:
    """Create a customer account; someone logged in already goes to their side of the site."""
    principal = await principal_if_any(request, accounts)
    if principal is not None:
        return RedirectResponse(home_of(principal), status_code=303)
    return render(request, "portal/signup.html", title="portal_signup_title", principal=None)


@router.get("/verify-email")
async def verify_email(request: Request, accounts: AccountsDep) -> Response:
    """Confirm the address with the emailed link's token (read from the fragment by the script)."""
    return await _visitor_page(request, accounts, "portal/verify_email.html", "portal_verify_title")


@router.get("/reset-password")
async def reset_password(request: Request, accounts: AccountsDep) -> Response:
    """Ask for a reset link, or (with the link's token) choose the new password."""
    return await _visitor_page(request, accounts, "portal/reset_password.html", "portal_reset_title")


@router.get("/rate/ticket/{ticket_id}")
async def rate_ticket(ticket_id: str, request: Request, accounts: AccountsDep) -> Response:
    """The mailed rating link's page (no log-in: the link's key is the proof; its script posts the score)."""
    principal = await principal_if_any(request, accounts)
    if len(ticket_id) > _ID_MAX:
        return not_found(request, principal)
    return render(
        request, "portal/rate.html", title="portal_rate_page_title", principal=principal, ticket_id=ticket_id
    )


@router.get("/tickets")
async def tickets(request: Request, accounts: AccountsDep) -> Response:
    """Solicitações: the customer's requests and past chats."""
    visitor = await signed_in(request, accounts, staff=False)
    if isinstance(visitor, Response):
        return visitor
    return render(request, "portal/tickets.html", title="portal_tickets_title", principal=visitor)


@router.get("/tickets/new")
async def new_ticket(request: Request, accounts: AccountsDep) -> Response:
    """Nova solicitação: the departments are the configured ones, which the API accepts."""
    visitor = await signed_in(request, accounts, staff=False)
    if isinstance(visitor, Response):
        return visitor
    departments = request.app.state.settings.departments
    return render(
        request,
        "portal/new_ticket.html",
        title="portal_new_title",
        principal=visitor,
        departments=departments,
    )


@router.get("/tickets/{ticket_id}")
async def ticket(ticket_id: str, request: Request, accounts: AccountsDep, bus: BusDep) -> Response:
    """One request: its whole history, its status at the top right, the reply form."""
    visitor = await signed_in(request, accounts, staff=False)
    if isinstance(visitor, Response):
        return visitor
    if await _absent(ticket_id, TicketCalls(bus, accounts).history(visitor, ticket_id)):
        return not_found(request, visitor)
    return render(
        request, "portal/ticket.html", title="portal_ticket_title", principal=visitor, ticket_id=ticket_id
    )


@router.get("/chats/{conversation_id}")
async def chat(conversation_id: str, request: Request, accounts: AccountsDep, bus: BusDep) -> Response:
    """A past chat's transcript, with its files."""
    visitor = await signed_in(request, accounts, staff=False)
    if isinstance(visitor, Response):
        return visitor
    if await _absent(conversation_id, _own_chat(bus, visitor, conversation_id)):
        return not_found(request, visitor)
    return render(
        request,
        "portal/chat.html",
        title="portal_chat_title",
        principal=visitor,
        conversation_id=conversation_id,
    )


async def _absent(thing_id: str, check: Coroutine[Any, Any, object]) -> bool:
    """Whether ``check`` says the thing is not there for this visitor.

    Any other failure (a service away) still serves the page: its script tells the visitor and
    offers to try again, which a JSON error in place of a page could not.
    """
    if len(thing_id) > _ID_MAX:
        check.close()
        return True
    try:
        await check
    except ServiceError as refused:
        return refused.code in _ABSENT
    except (nats.errors.TimeoutError, nats.errors.NoRespondersError):
        return False
    return False


async def _own_chat(bus: BusDep, visitor: Principal, conversation_id: str) -> None:
    """404 unless the chat is the visitor's, by the API's rule: their verified address started it."""
    if not visitor.email_verified:
        raise NotFound("conversation_not_found")
    found = await bus.request(
        GET_CONVERSATION_V1, GetConversationV1(conversation_id=conversation_id, entries=False), ConversationV1
    )
    if found.conversation.customer_email != visitor.email:
        raise NotFound("conversation_not_found")


def not_found(request: Request, visitor: Principal | None) -> Response:
    """The portal's friendly 404: nothing says whether the thing exists for someone else."""
    return render(
        request, "portal/not_found.html", title="not_found_title", status_code=404, principal=visitor
    )

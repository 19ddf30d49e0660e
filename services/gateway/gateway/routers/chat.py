"""Live chat for customers (no account needed): availability, the start form, leave a message, the socket."""

from __future__ import annotations

import contextlib
import uuid
from datetime import datetime
from typing import Annotated, Any

import nats.errors
from fastapi import APIRouter, Depends, Query, Request, WebSocket, status
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, ConfigDict, Field

from contracts.chat import ConversationListV1, ConversationV1
from contracts.chat_commands import LeaveOfflineMessageV1, RateChatV1, StartChatV1
from contracts.chat_queries import AvailabilityV1, GetAvailabilityV1, GetConversationV1, SearchChatsV1
from contracts.subjects import (
    GET_AVAILABILITY_V1,
    GET_CONVERSATION_V1,
    LEAVE_OFFLINE_MESSAGE_V1,
    RATE_CHAT_V1,
    SEARCH_CHATS_V1,
    START_CHAT_V1,
)
from gateway.auth import CurrentCustomer, current_customer, current_principal
from gateway.auth import _bearer as bearer_scheme  # the same schemes as CurrentCustomer's, not twins
from gateway.auth import _session_cookie as session_scheme
from gateway.chat.access import origin_allowed, origin_of
from gateway.chat.customer import CustomerSession
from gateway.chat.frames import conversation_for_customer, entry_for_customer
from gateway.chat.sessions import Limits, Session
from gateway.chat.tokens import Visitor
from gateway.dependencies import AccountsDep, BusDep
from gateway.domain.accounts import Problem, email_problems, name_problems, normalise_email, normalise_name
from gateway.domain.language import negotiate
from gateway.openapi import MAX_OFFSET, ApiId, documented
from gateway.ratelimit import http as rate_limits
from gateway.ratelimit.limiter import CHAT, OFFLINE_MESSAGE
from gateway.routers.chat_files import ChatToken, visitor_of
from gateway.tickets.calls import IdempotencyKey
from plumbing.bus import RemoteError
from plumbing.errors import Invalid, NotFound

router = APIRouter(prefix="/api/v1/chat", tags=["chat (customer)"], responses=documented(422, 503, 504))


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class StartForm(_In):
    """Guide 003's start form."""

    name: str = Field(min_length=1, max_length=200)
    email: str = Field(max_length=320)
    question: str = Field(min_length=1, max_length=4000)
    department: str = Field(min_length=1, max_length=100)


class OfflineForm(_In):
    """ "Leave a message": it becomes a request, answered by email."""

    name: str = Field(min_length=1, max_length=200)
    email: str = Field(max_length=320)
    message: str = Field(min_length=1, max_length=20_000)
    department: str = Field(min_length=1, max_length=100)
    resume_token: str | None = Field(
        default=None, max_length=2000, description="A chat that waited too long."
    )


class Started(BaseModel):
    """The conversation, and the token that opens its socket (and reopens it after a reload)."""

    conversation: dict[str, Any]
    resume_token: str
    socket: str = Field(description="WebSocket path; add ?token=<resume_token>&after_seq=<last seen>.")


def _checked(request: Request, form: StartForm | OfflineForm) -> tuple[str, str]:
    """(name, email) cleaned as accounts clean them; 422 naming each field at fault."""
    name, email = normalise_name(form.name), normalise_email(form.email)
    problems = [*name_problems(name), *email_problems(email)]
    if form.department not in request.app.state.settings.departments:
        problems.append(Problem("department", "department_unknown"))
    if problems:
        raise Invalid("invalid", errors=[{"field": p.field, "reason": p.reason} for p in problems])
    return name, email


@router.get("/availability")
async def availability(request: Request, bus: BusDep) -> dict[str, Any]:
    """Per department: agents online, free places, queue length, expected wait (the widget's first look)."""
    found = await bus.request(
        GET_AVAILABILITY_V1,
        GetAvailabilityV1(departments=list(request.app.state.settings.departments)),
        AvailabilityV1,
    )
    return {"departments": [d.model_dump(mode="json") for d in found.departments]}


@router.post("/conversations", status_code=status.HTTP_201_CREATED, responses=documented(409, 429))
async def start(
    form: StartForm, request: Request, bus: BusDep, idempotency_key: IdempotencyKey = None
) -> Started:
    """Start a chat; 409 `no_agent_available` when nobody can answer (then leave a message)."""
    await rate_limits.by_ip(request, CHAT)
    name, email = _checked(request, form)
    started = await bus.request(
        START_CHAT_V1,
        StartChatV1(
            request_id=f"chat:start:{idempotency_key or uuid.uuid4()}",
            customer_name=name,
            customer_email=email,
            question=form.question,
            department=form.department,
        ),
        ConversationV1,
    )
    summary = started.conversation
    visitor = Visitor(summary.conversation_id, summary.customer_email, summary.customer_name)
    return Started(
        conversation=conversation_for_customer(summary),
        resume_token=request.app.state.chat_tokens.mint(visitor),
        socket=f"{router.prefix}/socket",
    )


@router.post("/offline-messages", status_code=status.HTTP_202_ACCEPTED, responses=documented(429))
async def leave_message(
    form: OfflineForm, request: Request, bus: BusDep, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    """Nobody can answer now: the message becomes a request and the answer comes by email."""
    await rate_limits.by_ip(request, OFFLINE_MESSAGE)
    name, email = _checked(request, form)
    visitor = request.app.state.chat_tokens.read(form.resume_token) if form.resume_token else None
    left = await bus.request(
        LEAVE_OFFLINE_MESSAGE_V1,
        LeaveOfflineMessageV1(
            request_id=f"chat:offline:{idempotency_key or uuid.uuid4()}",
            conversation_id=visitor.conversation_id if visitor else None,
            customer_name=name,
            customer_email=email,
            department=form.department,
            message=form.message,
        ),
        ConversationV1,
    )
    return {"status": left.conversation.status.value, "conversation_id": left.conversation.conversation_id}


@router.websocket("/socket")
async def socket(
    websocket: WebSocket,
    bus: BusDep,
    token: Annotated[str, Query(max_length=2000)] = "",
    after_seq: Annotated[int, Query(ge=0)] = 0,
) -> None:
    """The customer's conversation, live (protocol: docs/chat-protocol.md). 1008: bad token or origin."""
    settings = websocket.app.state.settings
    allowed = {origin_of(settings.public_url), *(origin_of(o) for o in settings.chat_origins)}
    visitor = websocket.app.state.chat_tokens.read(token)
    await websocket.accept()
    if visitor is None or not origin_allowed(websocket, allowed, required=False):
        await websocket.close(code=1008, reason="invalid or expired token, or a foreign origin")
        return
    await serve(
        websocket,
        CustomerSession(
            bus,
            websocket,
            negotiate(websocket.headers.get("accept-language")),
            limits(settings),
            visitor,
            websocket.app.state.chat_tokens,
            after_seq,
        ),
    )


def limits(settings: Any) -> Limits:
    """The socket limits from the gateway's settings."""
    return Limits(settings.chat_max_message_bytes, settings.chat_messages_burst, settings.chat_messages_per_s)


async def serve(websocket: WebSocket, session: Session) -> None:
    """Run a session; one that cannot start (an unknown conversation) closes with 4000 + status."""
    try:
        await session.run()
    except RemoteError as refused:
        code = 4000 + int(refused.code) if refused.code.isdigit() else 1011
        with contextlib.suppress(RuntimeError):
            await websocket.close(code=code, reason=refused.reason)
    except (nats.errors.NoRespondersError, nats.errors.TimeoutError):
        with contextlib.suppress(RuntimeError):
            await websocket.close(code=1013, reason="unavailable")  # "try again later"


@router.get("/conversations", responses=documented(401, 403))
async def my_chats(
    me: CurrentCustomer,
    bus: BusDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, Any]:
    """A logged-in customer's past chats, beside their tickets (only once the address is verified)."""
    if not me.email_verified:
        return {"conversations": [], "total": 0, "verify_email": True}
    found = await bus.request(
        SEARCH_CHATS_V1,
        SearchChatsV1(customer_email=me.email, limit=limit, offset=offset),
        ConversationListV1,
    )
    return {
        "conversations": [conversation_for_customer(c) for c in found.conversations],
        "total": found.total,
    }


@router.get("/conversations/{conversation_id}", responses=documented(401, 403, 404))
async def my_chat(conversation_id: ApiId, me: CurrentCustomer, bus: BusDep) -> dict[str, Any]:
    """One of the customer's past chats, whole (404 unless it is theirs and their address is verified)."""
    found = await bus.request(
        GET_CONVERSATION_V1, GetConversationV1(conversation_id=conversation_id), ConversationV1
    )
    if not me.email_verified or found.conversation.customer_email != me.email:
        raise NotFound("conversation_not_found")
    return {
        "conversation": conversation_for_customer(found.conversation),
        "entries": [entry_for_customer(e) for e in found.entries],
    }


class RatingForm(_In):
    """How the chat went: 1 (very bad) to 5 (excellent), and optional words."""

    score: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=2000)


class RatingOut(BaseModel):
    """The rating as recorded (the latest: a new one replaces it)."""

    score: int
    comment: str
    rated_at: datetime


@router.post("/conversations/{conversation_id}/rating", responses=documented(401, 403, 404, 409))
async def rate(
    conversation_id: ApiId,
    form: RatingForm,
    request: Request,
    bus: BusDep,
    accounts: AccountsDep,
    # The portal's customer: CurrentCustomer's credentials, read here because the widget's visitor
    # (no account) rates with the resume token instead.
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    session: Annotated[str | None, Depends(session_scheme)],
    token: ChatToken = None,
) -> RatingOut:
    """Rate an ended chat (409 `chat_not_ended` before): the widget's visitor with the resume token
    (X-Chat-Token), or the signed-in customer whose verified address started it (the portal); 404 for
    anyone else. Rating again replaces the rating; the same rating again changes nothing."""
    customer_email: str | None = None
    if token is not None:
        visitor_of(request, conversation_id, token)
    else:
        me = await current_customer(await current_principal(request, accounts, bearer, session))
        if not me.email_verified:
            raise NotFound("conversation_not_found")
        customer_email = me.email  # chat checks the chat is theirs
    rated = await bus.request(
        RATE_CHAT_V1,
        RateChatV1(
            conversation_id=conversation_id,
            customer_email=customer_email,
            score=form.score,
            comment=form.comment,
        ),
        ConversationV1,
    )
    rating = rated.conversation.rating
    assert rating is not None, "chat answers a rating with the conversation as rated"
    return RatingOut(score=rating.score, comment=rating.comment, rated_at=rating.rated_at)

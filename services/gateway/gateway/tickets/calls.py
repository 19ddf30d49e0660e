"""The ticket API's NATS calls, with the access rules applied before anything is shown or changed."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Header, Request

from contracts import Message
from contracts.subjects import GET_TICKET_HISTORY_V1
from contracts.ticket_commands import TicketV1
from contracts.ticket_queries import GetTicketHistoryV1, TicketHistoryV1
from gateway.dependencies import BusDep
from gateway.domain.language import negotiate
from gateway.domain.principal import Principal
from gateway.domain.ticket_access import agent_may_see, customer_may_see
from plumbing.bus import Bus
from plumbing.errors import NotFound


async def language(request: Request) -> str:
    """pt-BR or en, by Accept-Language."""
    return negotiate(request.headers.get("accept-language"))


Language = Annotated[str, Depends(language)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        min_length=1,
        max_length=100,
        pattern=r"^[\x21-\x7e]+$",
        description="Send the same key when retrying: the request then has its effect only once.",
    ),
]


def request_id(me: Principal, key: str | None, kind: str) -> str:
    """The id that makes a retried request land once; scoped to the account, so keys never meet."""
    return f"portal:{kind}:{me.account_id}:{key or uuid.uuid4()}"


class TicketCalls:
    """One request's view of the tickets service, as one principal."""

    def __init__(self, bus: Bus) -> None:
        self.bus = bus

    async def history(self, me: Principal, ticket_id: str) -> TicketHistoryV1:
        """The ticket with its history, if ``me`` may see it; 404 otherwise (never 403: no hints)."""
        found = await self.bus.request(
            GET_TICKET_HISTORY_V1,
            GetTicketHistoryV1(ticket_id=ticket_id, include_internal=me.is_staff),
            TicketHistoryV1,
        )
        ticket = found.ticket
        allowed = (
            agent_may_see(me, ticket.department)
            if me.is_staff
            else customer_may_see(me, ticket.customer_email, ticket.channel.value)
        )
        if not allowed:
            raise NotFound("ticket_not_found")
        return found

    async def change(self, me: Principal, ticket_id: str, subject: str, command: Message) -> TicketV1:
        """Send a change to a ticket ``me`` may see."""
        await self.history(me, ticket_id)
        return await self.bus.request(subject, command, TicketV1)


async def ticket_calls(bus: BusDep) -> TicketCalls:
    """The dependency routers use."""
    return TicketCalls(bus)


Calls = Annotated[TicketCalls, Depends(ticket_calls)]

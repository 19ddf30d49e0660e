"""The ticket API's NATS calls, with the access rules applied before anything is shown or changed."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Header, Request

from contracts import Message
from contracts.common import ActorKind
from contracts.subjects import GET_TICKET_HISTORY_V1, GET_TICKET_V1
from contracts.ticket_commands import GetTicketV1, TicketV1
from contracts.ticket_queries import GetTicketHistoryV1, TicketHistoryV1, TicketListV1, TicketSummary
from gateway.accounts.service import Accounts
from gateway.dependencies import AccountsDep, BusDep
from gateway.domain.language import negotiate
from gateway.domain.principal import Principal
from gateway.domain.ticket_access import agent_may_see, customer_may_see
from gateway.tickets.models import Ticket, ticket_out
from plumbing.bus import Bus, RemoteError
from plumbing.errors import Conflict, Invalid, NotFound


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

    def __init__(self, bus: Bus, accounts: Accounts) -> None:
        self.bus = bus
        self.accounts = accounts

    async def history(
        self, me: Principal, ticket_id: str, attachment_id: str | None = None
    ) -> TicketHistoryV1:
        """The ticket with its history (only the entries carrying ``attachment_id``, if given), if ``me``
        may see it; 404 otherwise (never 403: no hints)."""
        query = GetTicketHistoryV1(
            ticket_id=ticket_id, include_internal=me.is_staff, attachment_id=attachment_id
        )
        found = await self.bus.request(GET_TICKET_HISTORY_V1, query, TicketHistoryV1)
        _check(me, found.ticket)
        return found

    async def ticket(self, me: Principal, ticket_id: str) -> TicketV1:
        """The ticket as it is now, without its history, if ``me`` may see it; 404 otherwise.

        What a change or an upload checks: the history grows with the ticket, this does not.
        """
        found = await self.bus.request(GET_TICKET_V1, GetTicketV1(ticket_id=ticket_id), TicketV1)
        _check(me, found)
        return found

    async def change(
        self,
        me: Principal,
        ticket_id: str,
        subject: str,
        command: Message,
        language: str,
        *,
        agent_id: str | None = None,
    ) -> Ticket:
        """Send a change to a ticket ``me`` may see; ``agent_id``: the agent it is being given to.

        A 409 ``stale_version`` carries the ticket as it is now, in the API's own form.
        """
        found = await self.ticket(me, ticket_id)
        if agent_id is not None:
            await self.assignable(agent_id, found.department)
        try:
            changed = await self.bus.request(subject, command, TicketV1)
        except RemoteError as refused:
            current = refused.detail.get("current")
            if refused.reason != "stale_version" or not isinstance(current, dict):
                raise
            now = ticket_out(TicketV1.model_validate(current), language, staff=me.is_staff)
            raise Conflict("stale_version", current=now.model_dump(mode="json")) from None
        return ticket_out(changed, language, staff=me.is_staff)

    async def names(self, ticket: TicketHistoryV1 | TicketListV1) -> dict[str, str]:
        """Agents' names by account id, for the actors and assignees of a history or a list."""
        if isinstance(ticket, TicketHistoryV1):
            ids = {e.actor for e in ticket.entries if e.actor_kind is ActorKind.AGENT}
            ids |= {e.assignee for e in ticket.entries if e.assignee} | {ticket.ticket.assignee or ""}
        else:
            ids = {t.assignee for t in ticket.tickets if t.assignee}
        return {id_: member.name for id_, member in (await self.accounts.staff_members(ids)).items()}

    async def assignable(self, agent_id: str, department: str | None) -> None:
        """422 unless ``agent_id`` is an agent of the ticket's department (or an admin)."""
        member = (await self.accounts.staff_members([agent_id])).get(agent_id)
        if member is None or not agent_may_see(member, department):
            raise Invalid("invalid", errors=[{"field": "agent_id", "reason": "agent_unknown"}])


def _check(me: Principal, ticket: TicketV1 | TicketSummary) -> None:
    """404 unless ``me`` may see the ticket (never 403: no hints)."""
    allowed = (
        agent_may_see(me, ticket.department)
        if me.is_staff
        else customer_may_see(me, ticket.customer_email, ticket.channel.value)
    )
    if not allowed:
        raise NotFound("ticket_not_found")


async def ticket_calls(bus: BusDep, accounts: AccountsDep) -> TicketCalls:
    """The dependency routers use."""
    return TicketCalls(bus, accounts)


Calls = Annotated[TicketCalls, Depends(ticket_calls)]

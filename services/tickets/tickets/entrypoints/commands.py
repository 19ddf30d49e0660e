"""Request-reply endpoints: the gateway's commands and queries, mapped onto the Tickets application."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar
from uuid import UUID

from contracts import Envelope, Message
from contracts.subjects import (
    ADD_INTERNAL_NOTE_V1,
    ASSIGN_TICKET_V1,
    FINISH_TICKET_V1,
    GET_TICKET_V1,
    OPEN_TICKET_V1,
    RATE_TICKET_V1,
    REOPEN_TICKET_V1,
    REPLY_TO_TICKET_V1,
    START_WORK_V1,
)
from contracts.ticket_commands import (
    AddInternalNoteV1,
    AssignTicketV1,
    FinishTicketV1,
    GetTicketV1,
    OpenTicketV1,
    RateTicketV1,
    ReopenTicketV1,
    ReplyToTicketV1,
    StartWorkV1,
    TicketChange,
    TicketRating,
    TicketV1,
)
from contracts.tickets import RefusedAttachment, TicketRequestedV1, TicketStatus
from plumbing.bus import Bus
from plumbing.errors import Conflict, Invalid, NotFound
from tickets.application import OpenRequest, StaleVersion, TicketNotFound, Tickets
from tickets.domain.rating import NotRatable, NotTheirs
from tickets.domain.ticket import CUSTOMER, Refused, ReopenWindowPassed, Ticket
from tickets.domain.transitions import IllegalTransition
from tickets.entrypoints.batching import OpenBatcher

C = TypeVar("C", bound=Message)


def view(ticket: Ticket) -> TicketV1:
    """The wire form of a ticket as it is now."""
    return TicketV1(
        ticket_id=str(ticket.id),
        number=ticket.number,
        version=ticket.version,
        status=TicketStatus(ticket.status.value),
        channel=ticket.channel,
        customer_email=ticket.customer_email,
        customer_name=ticket.customer_name,
        subject=ticket.subject,
        department=ticket.department,
        assignee=ticket.assignee,
        opened_at=ticket.opened_at,
        last_activity_at=ticket.last_activity_at,
        reopens=ticket.reopens,
        replies=ticket.replies,
        rating=_rating(ticket),
    )


def _rating(ticket: Ticket) -> TicketRating | None:
    if ticket.rating is None:
        return None
    score, comment, rated_at = ticket.rating
    return TicketRating(score=score, comment=comment, rated_at=rated_at)


def open_request(request: OpenTicketV1 | TicketRequestedV1) -> OpenRequest:
    """What opening the ticket a portal command or an email/chat request asks for takes."""
    # The portal refuses a file at upload time; only mail brings files that were refused on the way.
    refused = refused_pairs(request.refused_attachments) if isinstance(request, TicketRequestedV1) else ()
    return OpenRequest(
        request.request_id,
        request.channel.value,
        request.customer_email,
        request.customer_name,
        request.subject,
        request.body,
        request.department,
        tuple(request.attachment_ids),
        refused_attachments=refused,
    )


def refused_pairs(refused: list[RefusedAttachment]) -> tuple[Refused, ...]:
    """The wire's refused attachments as the domain keeps them: (filename, reason_code) pairs."""
    return tuple((item.filename, item.reason_code) for item in refused)


@contextmanager
def refusals() -> Iterator[None]:
    """The one place where the domain's refusals become coded errors (→ HTTP at the gateway)."""
    try:
        yield
    except (TicketNotFound, NotTheirs):
        # Someone else's ticket, or a wrong key, is as absent as an unknown one: no hint it exists.
        raise NotFound("ticket_not_found") from None
    except NotRatable:
        raise Conflict("ticket_not_finished") from None
    except StaleVersion as stale:
        raise Conflict("stale_version", current=view(stale.current).model_dump(mode="json")) from None
    except IllegalTransition as illegal:
        raise Conflict(
            "illegal_transition", status=illegal.status.value, action=illegal.action.value
        ) from None


def _no_views(position: int) -> None:
    return None


class Commands:
    """Each endpoint runs the synchronous application in a thread and answers the ticket's new state.

    An answer leaves only once the read models include the change (read-your-writes, applied in
    the saving thread): a customer who opened a ticket finds it in their list at once.
    """

    def __init__(
        self,
        app: Tickets,
        changed: Callable[[], None],
        include_views: Callable[[int], None] = _no_views,
    ) -> None:
        self.app = app
        self.opens = OpenBatcher(app, include_views)
        self.changed = changed  # wakes the relay and the projector: the new events go out at once
        self.include_views = include_views

    async def register(self, bus: Bus) -> None:
        """Serve every command and query in the tickets queue group."""
        await bus.serve("open", OPEN_TICKET_V1, OpenTicketV1, self.open)
        await bus.serve("get", GET_TICKET_V1, GetTicketV1, self.get)
        await bus.serve("start-work", START_WORK_V1, StartWorkV1, self._change(self._start_work))
        await bus.serve("reply", REPLY_TO_TICKET_V1, ReplyToTicketV1, self._change(self._reply))
        await bus.serve("add-note", ADD_INTERNAL_NOTE_V1, AddInternalNoteV1, self._change(self._add_note))
        await bus.serve("assign", ASSIGN_TICKET_V1, AssignTicketV1, self._change(self._assign))
        await bus.serve("finish", FINISH_TICKET_V1, FinishTicketV1, self._change(self._finish))
        await bus.serve("reopen", REOPEN_TICKET_V1, ReopenTicketV1, self._change(self._reopen))
        await bus.serve("rate", RATE_TICKET_V1, RateTicketV1, self.rate)

    async def open(self, command: OpenTicketV1, envelope: Envelope) -> Message:
        ticket, position = await self.opens.open(open_request(command))
        self._settle(position)
        return view(ticket)

    async def get(self, query: GetTicketV1, envelope: Envelope) -> Message:
        with refusals():
            return view(await asyncio.to_thread(self.app.get, _uuid(query.ticket_id)))

    async def rate(self, command: RateTicketV1, envelope: Envelope) -> Message:
        """The customer's rating: proven inside the aggregate by their address or the link's key."""
        ticket_id = _uuid(command.ticket_id)
        with refusals():
            ticket = await self._saving(
                lambda: self.app.rate(
                    ticket_id,
                    score=command.score,
                    comment=command.comment,
                    customer_email=command.customer_email,
                    rating_key=command.rating_key,
                )
            )
        return view(ticket)

    def _change(self, apply: Callable[[C, UUID], Ticket]) -> Callable[[C, Envelope], Awaitable[Message]]:
        async def handle(command: C, envelope: Envelope) -> Message:
            assert isinstance(command, TicketChange)
            ticket_id = _uuid(command.ticket_id)
            with refusals():
                if command.actor_kind.value == CUSTOMER:
                    # A customer acts only on their own tickets; others' do not exist for them.
                    owner = await asyncio.to_thread(self.app.get, ticket_id)
                    if owner.customer_email != command.actor.lower():
                        raise TicketNotFound(command.ticket_id)
                ticket = await self._saving(lambda: apply(command, ticket_id))
            return view(ticket)

        return handle

    async def _saving(self, work: Callable[[], Ticket]) -> Ticket:
        """Run ``work`` in a thread and, if it saved, bring the views up to it there; wake the relay."""

        def tracked() -> tuple[Ticket, int | None]:
            self.app.saves.position = None
            ticket = work()
            if (position := self.app.saves.position) is not None:
                self.include_views(position)
            return ticket, position

        ticket, position = await asyncio.to_thread(tracked)
        self._settle(position)
        return ticket

    def _settle(self, position: int | None) -> None:
        """After a save: the relay publishes it now rather than at its next poll."""
        if position is not None:
            self.changed()

    def _start_work(self, command: StartWorkV1, ticket: UUID) -> Ticket:
        return self.app.start_work(ticket, _version(command), command.actor)

    def _reply(self, command: ReplyToTicketV1, ticket: UUID) -> Ticket:
        if self.app.has_reply(ticket, command.reply_id, after=command.expected_version):
            # A retry (same Idempotency-Key) of a reply saved before its answer was lost, e.g. to a
            # PostgreSQL restart or a gateway timeout: the reply is added once. Made at a known
            # version, it can only have been saved after it: only those events are read.
            return self.app.get(ticket)
        return reply_or_follow_up(
            self.app,
            ticket,
            command.expected_version,
            reply_id=command.reply_id,
            author_kind=command.actor_kind.value,
            author=command.actor,
            body=command.body,
            channel=command.channel.value,
            attachment_ids=command.attachment_ids,
        )

    def _add_note(self, command: AddInternalNoteV1, ticket: UUID) -> Ticket:
        if command.actor_kind.value == CUSTOMER:
            raise TicketNotFound(str(ticket))  # notes are not a customer's to write
        return self.app.add_note(
            ticket, command.expected_version, note_id=command.note_id, agent=command.actor, body=command.body
        )

    def _assign(self, command: AssignTicketV1, ticket: UUID) -> Ticket:
        return self.app.assign(ticket, _version(command), agent=command.agent, by=command.actor)

    def _finish(self, command: FinishTicketV1, ticket: UUID) -> Ticket:
        return self.app.finish(
            ticket, command.expected_version, actor_kind=command.actor_kind.value, actor=command.actor
        )

    def _reopen(self, command: ReopenTicketV1, ticket: UUID) -> Ticket:
        return self.app.reopen(
            ticket, _version(command), actor_kind=command.actor_kind.value, actor=command.actor
        )


def reply_or_follow_up(
    app: Tickets,
    ticket: UUID,
    version: int | None,
    *,
    reply_id: str,
    author_kind: str,
    author: str,
    body: str,
    channel: str,
    attachment_ids: list[str],
    threaded_by: str | None = None,
    refused_attachments: tuple[Refused, ...] = (),
) -> Ticket:
    """Add a public reply; a customer's answer after the reopen window opens a linked ticket instead."""
    try:
        return app.reply(
            ticket,
            version,
            reply_id=reply_id,
            author_kind=author_kind,
            author=author,
            body=body,
            channel=channel,
            attachment_ids=attachment_ids,
            threaded_by=threaded_by,
            refused_attachments=refused_attachments,
        )
    except ReopenWindowPassed:
        # Too late to reopen: the answer starts a new ticket that points at the old one.
        old = app.get(ticket)
        return app.open(
            f"follow-up:{ticket}:{reply_id}",
            channel=channel,
            customer_email=old.customer_email,
            customer_name=old.customer_name,
            subject=old.subject,
            body=body,
            department=old.department,
            attachment_ids=attachment_ids,
            reopens=old.number,
            refused_attachments=refused_attachments,
        )


def _uuid(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise NotFound("ticket_not_found") from None


def _version(command: TicketChange) -> int:
    """Agents' changes must say which version they saw: that is what prevents lost updates."""
    if command.expected_version is None:
        raise Invalid("invalid", errors=[{"field": "expected_version", "reason": "missing"}])
    return command.expected_version

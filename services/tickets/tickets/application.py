"""The tickets service layer: an eventsourcing Application over the Ticket aggregate."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar, Protocol
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, Recording

from plumbing.projection import Alongside
from tickets.domain.ticket import REOPEN_DAYS, Refused, Ticket, refusals, ticket_id


class Numbers(Protocol):
    """Hands out human ticket numbers (#1042): unique and never reused, gaps allowed."""

    def take(self, count: int) -> list[int]:
        """The next ``count`` numbers, ascending."""
        ...


@dataclass(frozen=True)
class OpenRequest:
    """What opening a ticket needs; ``request_id`` makes it idempotent."""

    request_id: str
    channel: str
    customer_email: str
    customer_name: str
    subject: str
    body: str
    department: str | None
    attachment_ids: tuple[str, ...] = ()
    reopens: int | None = None
    refused_attachments: tuple[Refused, ...] = ()  # (filename, reason_code) of files refused on the way


class TicketNotFound(LookupError):
    """No ticket has this id."""


class StaleVersion(Exception):
    """Someone changed the ticket since the caller read it; ``current`` is what it is now."""

    def __init__(self, current: Ticket) -> None:
        super().__init__(f"ticket #{current.number} is at version {current.version}")
        self.current = current


class Saves(threading.local):
    """The notification id of the calling thread's last save (for read-your-writes waits)."""

    position: int | None = None


class Tickets(Application[UUID]):
    """Opens tickets and applies every change to them, refusing lost updates."""

    name = "Tickets"
    # Long tickets load from a snapshot plus the events after it.
    snapshotting_intervals: ClassVar[dict[Any, int]] = {Ticket: 50}

    def __init__(
        self,
        numbers: Numbers,
        env: Mapping[str, str] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        reopen_days: int = REOPEN_DAYS,
    ) -> None:
        super().__init__(env)
        self.numbers = numbers
        self.clock = clock
        self.reopen_days = reopen_days
        self.saves = Saves()
        # Set by the composition root: one save, one commit, views included (plumbing.projection).
        self.alongside: Callable[[list[Any]], Alongside] | None = None

    def open(
        self,
        request_id: str,
        *,
        channel: str,
        customer_email: str,
        customer_name: str,
        subject: str,
        body: str,
        department: str | None,
        attachment_ids: list[str] | None = None,
        reopens: int | None = None,
        refused_attachments: Sequence[Refused] = (),
    ) -> Ticket:
        """Open the ticket for ``request_id``, or return the one it already opened (idempotent)."""
        request = OpenRequest(
            request_id,
            channel,
            customer_email,
            customer_name,
            subject,
            body,
            department,
            tuple(attachment_ids or ()),
            reopens,
            refusals(refused_attachments),
        )
        return self.open_many([request])[0]

    def open_many(self, requests: Sequence[OpenRequest]) -> list[Ticket]:
        """Open several tickets in one transaction (group commit); each one idempotent like ``open``.

        No read first: a request seen before fails the insert (same derived id), and only then are
        the tickets looked up and saved one by one. A number taken for a duplicate stays unused.
        """
        unique = {request.request_id: request for request in reversed(requests)}  # the first wins
        numbers = self.numbers.take(len(unique))
        opened = {
            rid: self._new(request, n) for (rid, request), n in zip(unique.items(), numbers, strict=True)
        }
        try:
            self.save(*opened.values())
        except IntegrityError:
            for (rid, request), number in zip(unique.items(), numbers, strict=True):
                opened[rid] = self._find(ticket_id(rid)) or self._save_new(request, number)
        return [opened[request.request_id] for request in requests]

    def _new(self, request: OpenRequest, number: int) -> Ticket:
        fields = dict(vars(request))  # a shallow copy: asdict's deep copy costs 25× more per ticket
        fields["attachment_ids"] = list(request.attachment_ids)
        return Ticket(number=number, opened_at=self.clock(), **fields)

    def _save_new(self, request: OpenRequest, number: int) -> Ticket:
        ticket = self._new(request, number)
        try:
            self.save(ticket)
        except IntegrityError:
            # The same request, opened concurrently: the other save won; theirs is ours.
            return self.get(ticket.id)
        return ticket

    def get(self, ticket: UUID) -> Ticket:
        """The ticket as it is now; raises TicketNotFound."""
        found = self._find(ticket)
        if found is None:
            raise TicketNotFound(str(ticket))
        return found

    def has_event(self, ticket: UUID, match: Callable[[object], bool], after: int | None = None) -> bool:
        """Whether one of the ticket's events (those after version ``after``, if given) matches: how
        a retry or a redelivery finds its own earlier save where the aggregate keeps no ids."""
        return any(match(event) for event in self.repository.event_store.get(ticket, gt=after))

    def has_reply(self, ticket: UUID, reply_id: str, after: int | None = None) -> bool:
        """Whether the ticket already holds this reply (saved after version ``after``, if given:
        a retry of a reply made at a known version finds it there, without reading the whole ticket)."""
        return self.has_event(
            ticket, lambda event: isinstance(event, Ticket.Replied) and event.reply_id == reply_id, after
        )

    def start_work(self, ticket: UUID, version: int, agent: str) -> Ticket:
        """An agent takes the ticket up."""
        with self._changing(ticket, version) as current:
            current.start_work(agent, self.clock())
        return current

    def reply(
        self,
        ticket: UUID,
        version: int | None,
        *,
        reply_id: str,
        author_kind: str,
        author: str,
        body: str,
        channel: str,
        attachment_ids: list[str] | None = None,
        threaded_by: str | None = None,
        refused_attachments: Sequence[Refused] = (),
    ) -> Ticket:
        """A public reply; ``version`` None for replies that do not follow a read (e.g. email).

        ``threaded_by``: for an emailed reply, what found this ticket (kept for agents to see);
        ``refused_attachments``: (filename, reason_code) of the files the files service refused.
        """
        with self._changing(ticket, version) as current:
            current.reply(
                reply_id,
                author_kind,
                author,
                body,
                channel,
                list(attachment_ids or []),
                self.clock(),
                self.reopen_days,
                threaded_by,
                refused_attachments,
            )
        return current

    def add_note(self, ticket: UUID, version: int | None, *, note_id: str, agent: str, body: str) -> Ticket:
        """An internal note (agents only)."""
        with self._changing(ticket, version) as current:
            current.add_note(note_id, agent, body, self.clock())
        return current

    def assign(self, ticket: UUID, version: int, *, agent: str | None, by: str) -> Ticket:
        """Give the ticket to an agent, or to nobody."""
        with self._changing(ticket, version) as current:
            current.assign(agent, by, self.clock())
        return current

    def finish(self, ticket: UUID, version: int | None, *, actor_kind: str, actor: str) -> Ticket:
        """Finish the ticket (an agent, or the customer's "my problem is solved")."""
        with self._changing(ticket, version) as current:
            # The key of the mailed rating link: only the ticket's first finish keeps it.
            current.finish(actor_kind, actor, self.clock(), secrets.token_urlsafe(24))
        return current

    def rate(
        self,
        ticket: UUID,
        *,
        score: int,
        comment: str,
        customer_email: str | None = None,
        rating_key: str | None = None,
    ) -> Ticket:
        """The customer rates the finished ticket (signed in, or with the link's key); idempotent."""
        for attempt in (1, 2):
            try:
                with self._changing(ticket, None) as current:
                    current.rate(
                        score, comment, self.clock(), customer_email=customer_email, rating_key=rating_key
                    )
                return current
            except StaleVersion:
                # The mailed link's score and the comment that follows it may cross: once more, on top.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def reopen(self, ticket: UUID, version: int, *, actor_kind: str, actor: str) -> Ticket:
        """Take a finished ticket up again."""
        with self._changing(ticket, version) as current:
            current.reopen(actor_kind, actor, self.clock())
        return current

    def delivery_failed(
        self, ticket: UUID, *, bounce_id: str, recipient: str, status: str, diagnostic: str
    ) -> Ticket:
        """Note on the ticket that one of our mails bounced (follows no read: ``version`` is not checked)."""
        with self._changing(ticket, None) as current:
            current.delivery_failed(bounce_id, recipient, status, diagnostic, self.clock())
        return current

    @contextmanager
    def _changing(self, ticket: UUID, version: int | None) -> Iterator[Ticket]:
        """Load, check the caller saw the latest version, let the caller change it, save.

        Two agents acting on the same version: the first save wins; the second finds a newer
        version (or loses the race in the event store) and gets StaleVersion with the current state.
        """
        current = self.get(ticket)
        if version is not None and current.version != version:
            raise StaleVersion(current)
        yield current
        try:
            self.save(current)
        except IntegrityError:
            raise StaleVersion(self.get(ticket)) from None

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """The library's save; with ``alongside`` set, the views take the save's events in its transaction."""
        if self.alongside is None or "within" in kwargs:
            return super().save(*objs, **kwargs)
        hook = self.alongside(
            [event for obj in objs if obj is not None for event in getattr(obj, "pending_events", ())]
        )
        recordings = super().save(*objs, within=hook, **kwargs)
        hook.committed()
        return recordings

    def _notify(self, recordings: Sequence[Recording[UUID]]) -> None:
        # Called by eventsourcing after every save, in the saving thread.
        if recordings:
            self.saves.position = recordings[-1].notification.id

    def _find(self, ticket: UUID) -> Ticket | None:
        try:
            found: Any = self.repository.get(ticket)
        except AggregateNotFoundError:
            return None
        assert isinstance(found, Ticket)
        return found

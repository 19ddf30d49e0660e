"""The Ticket aggregate: guide 000's "solicitação", rebuilt from its events."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from tickets.domain.rating import NotRatable, checked_score, proof
from tickets.domain.status import Status
from tickets.domain.transitions import Action, IllegalTransition, next_status

# Ticket ids derive from the request that created them: a retried or redelivered request finds
# the same aggregate instead of opening a second ticket.
_NAMESPACE = uuid5(NAMESPACE_URL, "https://atende.dev/tickets")
AGENT, CUSTOMER, SYSTEM = "agent", "customer", "system"
REOPEN_DAYS = 14
# A file that came with a message but the files service refused: (filename, reason_code), e.g.
# ("fatura.exe", "extension_not_allowed"). Events read back from the store hold JSON lists, not
# tuples: readers unpack the pairs and never rely on their type.
Refused = tuple[str, str]


class ReopenWindowPassed(Exception):
    """A customer answered a ticket finished too long ago: it becomes a new, linked ticket."""


def ticket_id(request_id: str) -> UUID:
    """The id of the ticket opened by ``request_id``."""
    return uuid5(_NAMESPACE, request_id)


class Ticket(Aggregate):
    """A support request, its status and who works it. Message bodies live in the events only."""

    # Version 2 added the rating key, the rating and the last agent who answered (see upcast_v1_v2).
    class_version = 2

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        # A snapshot taken before ratings: no key was minted, nobody rated; who last answered was
        # not kept then, so the rating credits the assignee (or nobody) for such a ticket.
        state.update(rating_key=None, rating=None, last_agent=None)

    class Opened(Aggregate.Created):
        """A ticket was opened (from the portal, an email or a chat's offline message)."""

        class_version = 2
        request_id: str
        number: int
        channel: str
        customer_email: str
        customer_name: str
        subject: str
        body: str
        department: str | None
        attachment_ids: list[str]
        opened_at: datetime
        reopens: int | None
        refused_attachments: tuple[Refused, ...]  # new in version 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            # Version 1 kept no refused attachments: nothing was refused before mail brought files.
            state["refused_attachments"] = ()

    class StatusChanged(Aggregate.Event):
        """The ticket moved from one status to another."""

        previous: Status
        status: Status
        actor_kind: str
        actor: str
        at: datetime

    class Replied(Aggregate.Event):
        """A public reply, by the customer or an agent; ``threaded_by``: what put an email here."""

        class_version = 3
        reply_id: str
        author_kind: str
        author: str
        body: str
        channel: str
        attachment_ids: list[str]
        at: datetime
        threaded_by: str | None  # new in version 2
        refused_attachments: tuple[Refused, ...]  # new in version 3

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            # Version 1 did not say how an emailed reply found its ticket.
            state["threaded_by"] = None

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            # Version 2 kept no refused attachments: nothing was refused before mail brought files.
            state["refused_attachments"] = ()

    class InternalNoteAdded(Aggregate.Event):
        """An agents-only note."""

        note_id: str
        agent: str
        body: str
        at: datetime

    class Assigned(Aggregate.Event):
        """The ticket was given to an agent (or to nobody)."""

        agent: str | None
        by: str
        at: datetime

    class Closed(Aggregate.Event):
        """The ticket was finished ("Finalizado"); ``rating_key``: the mailed rating link's key."""

        class_version = 2
        actor_kind: str
        actor: str
        at: datetime
        rating_key: str | None  # new in version 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            # Version 1 minted no key: such a finish mailed no rating link.
            state["rating_key"] = None

    class Rated(Aggregate.Event):
        """The customer rated the finished ticket (a later rating replaces it).

        ``proof``: signed_in or link; ``agent`` and ``department``: whom the rating credits.
        """

        score: int
        comment: str
        by: str
        proof: str
        agent: str | None
        department: str | None
        at: datetime

    class Reopened(Aggregate.Event):
        """A finished ticket was taken up again."""

        actor_kind: str
        actor: str
        at: datetime

    class DeliveryFailed(Aggregate.Event):
        """A mail to ``recipient`` about this ticket bounced: agents see it, customers never do."""

        bounce_id: str
        recipient: str
        status: str
        diagnostic: str
        at: datetime

    @staticmethod
    def create_id(request_id: str, **_: Any) -> UUID:
        """Ids derive from the request id (idempotent creation)."""
        return ticket_id(request_id)

    @event(Opened)
    def __init__(
        self,
        request_id: str,
        number: int,
        channel: str,
        customer_email: str,
        customer_name: str,
        subject: str,
        body: str,
        department: str | None,
        attachment_ids: list[str],
        opened_at: datetime,
        reopens: int | None = None,
        refused_attachments: tuple[Refused, ...] = (),
    ) -> None:
        self.request_id = request_id
        self.number = number
        self.channel = channel
        self.customer_email = customer_email
        self.customer_name = customer_name
        self.subject = subject
        self.department = department
        self.status = Status.WAITING
        self.assignee: str | None = None
        self.opened_at = opened_at
        self.last_activity_at = opened_at
        self.finished_at: datetime | None = None
        self.replies = 0
        # The number of the finished ticket a late customer answer continues, if any.
        self.reopens = reopens
        self.rating_key: str | None = None
        self.rating: tuple[int, str, datetime] | None = None  # (score, comment, rated_at)
        self.last_agent: str | None = None  # the last agent who replied publicly

    # Commands: each checks the rules, then records what happened.

    def start_work(self, agent: str, at: datetime) -> None:
        """An agent takes the ticket up."""
        self._move(Action.START_WORK, AGENT, agent, at)

    def reply(
        self,
        reply_id: str,
        author_kind: str,
        author: str,
        body: str,
        channel: str,
        attachment_ids: list[str],
        at: datetime,
        reopen_days: int = REOPEN_DAYS,
        threaded_by: str | None = None,
        refused_attachments: Iterable[Refused] = (),
    ) -> None:
        """A public reply; it moves the status as the transition table says (refused files kept with it)."""
        if author_kind == CUSTOMER and self.status == Status.FINISHED:  # a snapshot gives a plain str
            assert self.finished_at is not None
            if at - self.finished_at > timedelta(days=reopen_days):
                raise ReopenWindowPassed(self.number)
            self._move(Action.REOPEN, CUSTOMER, author, at)
        action = Action.CUSTOMER_REPLY if author_kind == CUSTOMER else Action.AGENT_REPLY
        status = next_status(self.status, action)
        self._replied(
            reply_id,
            author_kind,
            author,
            body,
            channel,
            attachment_ids,
            at,
            threaded_by,
            refusals(refused_attachments),
        )
        if status is not self.status:
            self._status_changed(self.status, status, author_kind, author, at)

    def add_note(self, note_id: str, agent: str, body: str, at: datetime) -> None:
        """An internal note: for agents only, it never moves the status."""
        self._note_added(note_id, agent, body, at)

    def assign(self, agent: str | None, by: str, at: datetime) -> None:
        """Give the ticket to an agent (None: to nobody)."""
        if agent == self.assignee:
            return
        self._assigned(agent, by, at)

    def finish(self, actor_kind: str, actor: str, at: datetime, rating_key: str | None = None) -> None:
        """An agent finishes it, or the customer says the problem is solved.

        ``rating_key``: a fresh key for the rating link, kept only by the first finish that has one.
        """
        next_status(self.status, Action.FINISH)
        self._closed(actor_kind, actor, at, self.rating_key or rating_key)

    def rate(
        self,
        score: int,
        comment: str,
        at: datetime,
        *,
        customer_email: str | None = None,
        rating_key: str | None = None,
    ) -> None:
        """The customer rates it, proven by their address or the link's key; the same rating twice is one."""
        how = proof(
            self.customer_email, self.rating_key, customer_email=customer_email, rating_key=rating_key
        )
        if self.status != Status.FINISHED:  # a snapshot gives the status back as a plain str
            raise NotRatable(self.number)
        score, comment = checked_score(score), comment.strip()
        if self.rating is not None and (self.rating[0], self.rating[1]) == (score, comment):
            return  # a retried request: nothing new happened
        agent = self.assignee or self.last_agent
        self._rated(score, comment, self.customer_email, how, agent, self.department, at)

    def reopen(self, actor_kind: str, actor: str, at: datetime) -> None:
        """Take a finished ticket up again."""
        self._move(Action.REOPEN, actor_kind, actor, at)

    def delivery_failed(
        self, bounce_id: str, recipient: str, status: str, diagnostic: str, at: datetime
    ) -> None:
        """Note a bounce of one of our mails; it never moves the status."""
        self._delivery_failed(bounce_id, recipient, status, diagnostic, at)

    def _move(self, action: Action, actor_kind: str, actor: str, at: datetime) -> None:
        status = next_status(self.status, action)
        if action is Action.REOPEN:
            self._reopened(actor_kind, actor, at)
        else:
            self._status_changed(self.status, status, actor_kind, actor, at)

    # Events: their bodies only apply what was decided above (they also run on replay).

    @event(StatusChanged)
    def _status_changed(
        self, previous: Status, status: Status, actor_kind: str, actor: str, at: datetime
    ) -> None:
        self.status = Status(status)
        self.last_activity_at = at

    @event(Replied)
    def _replied(
        self,
        reply_id: str,
        author_kind: str,
        author: str,
        body: str,
        channel: str,
        attachment_ids: list[str],
        at: datetime,
        threaded_by: str | None,
        refused_attachments: tuple[Refused, ...],
    ) -> None:
        self.replies += 1
        self.last_activity_at = at
        if author_kind == AGENT:
            self.last_agent = author

    @event(InternalNoteAdded)
    def _note_added(self, note_id: str, agent: str, body: str, at: datetime) -> None:
        self.last_activity_at = at

    @event(Assigned)
    def _assigned(self, agent: str | None, by: str, at: datetime) -> None:
        self.assignee = agent
        self.last_activity_at = at

    @event(Closed)
    def _closed(self, actor_kind: str, actor: str, at: datetime, rating_key: str | None) -> None:
        self.status = Status.FINISHED
        self.finished_at = at
        self.last_activity_at = at
        self.rating_key = self.rating_key or rating_key

    @event(Rated)
    def _rated(
        self,
        score: int,
        comment: str,
        by: str,
        proof: str,
        agent: str | None,
        department: str | None,
        at: datetime,
    ) -> None:
        self.rating = (score, comment, at)
        self.last_activity_at = at

    @event(Reopened)
    def _reopened(self, actor_kind: str, actor: str, at: datetime) -> None:
        self.status = next_status(Status.FINISHED, Action.REOPEN)
        self.finished_at = None
        self.last_activity_at = at

    @event(DeliveryFailed)
    def _delivery_failed(
        self, bounce_id: str, recipient: str, status: str, diagnostic: str, at: datetime
    ) -> None:
        self.last_activity_at = at


def refusals(pairs: Iterable[Refused]) -> tuple[Refused, ...]:
    """Refused attachments as an event keeps them: a tuple of plain (filename, reason_code) pairs."""
    return tuple((filename, reason_code) for filename, reason_code in pairs)


__all__ = [
    "AGENT",
    "CUSTOMER",
    "SYSTEM",
    "IllegalTransition",
    "NotRatable",
    "Refused",
    "ReopenWindowPassed",
    "Ticket",
    "refusals",
    "ticket_id",
]

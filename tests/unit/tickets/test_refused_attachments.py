"""Refused attachments on tickets: kept in the events they came with, upcast for old events, published."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from support.fakes import Clock

from contracts.common import Channel
from contracts.tickets import (
    RefusedAttachment,
    TicketOpenedV1,
    TicketRepliedV1,
    TicketReplyReceivedV1,
    TicketRequestedV1,
)
from tickets.application import Tickets
from tickets.domain.ticket import AGENT, CUSTOMER, Ticket
from tickets.entrypoints.commands import open_request
from tickets.entrypoints.replies import receive_reply
from tickets.translate import Translator

NOW = datetime(2026, 11, 23, tzinfo=UTC)
EXE = RefusedAttachment(filename="fatura.exe", reason_code="extension_not_allowed")
ZIP = RefusedAttachment(filename="fotos.zip", reason_code="archive_ratio")
PAIRS = [("fatura.exe", "extension_not_allowed"), ("fotos.zip", "archive_ratio")]


def requested(request_id: str = "email:<a@x>") -> TicketRequestedV1:
    return TicketRequestedV1(
        request_id=request_id,
        channel=Channel.EMAIL,
        customer_email="maria@example.com",
        customer_name="Maria",
        subject="Boleto",
        body="Segue a fatura",
        attachment_ids=["file-1"],
        refused_attachments=[EXE, ZIP],
        received_at=NOW,
    )


def reply(request_id: str, ticket: Ticket | None, sender: str = "maria@example.com") -> TicketReplyReceivedV1:
    return TicketReplyReceivedV1(
        request_id=request_id,
        ticket_id=str(ticket.id) if ticket else None,
        threaded_by="in-reply-to",
        customer_email=sender,
        subject="Re: Boleto",
        body="Mais um arquivo",
        refused_attachments=[EXE],
        received_at=NOW,
    )


def stored(app: Tickets, ticket_id: Any) -> list[Any]:
    return list(app.repository.event_store.get(ticket_id))


def pairs(event: Any) -> list[tuple[str, str]]:
    # Events read from the store hold JSON lists: compare them as pairs.
    return [(filename, reason) for filename, reason in event.refused_attachments]


def test_the_aggregate_records_refused_files_as_plain_pairs_in_its_events() -> None:
    ticket = Ticket(
        request_id="email:<a@x>",
        number=1042,
        channel="email",
        customer_email="maria@example.com",
        customer_name="Maria",
        subject="Boleto",
        body="Segue",
        department=None,
        attachment_ids=[],
        opened_at=NOW,
        refused_attachments=(("fatura.exe", "extension_not_allowed"),),
    )
    ticket.reply(
        "r1", CUSTOMER, "maria@example.com", "Mais um", "email", [], NOW, refused_attachments=[PAIRS[1]]
    )
    ticket.reply("r2", AGENT, "ana", "Recebido", "portal", [], NOW)
    events = ticket.collect_events()
    opened = events[0]
    first, second = [event for event in events if isinstance(event, Ticket.Replied)]
    assert isinstance(opened, Ticket.Opened)
    assert opened.refused_attachments == (("fatura.exe", "extension_not_allowed"),)
    assert first.refused_attachments == (("fotos.zip", "archive_ratio"),)
    assert second.refused_attachments == ()
    assert ticket.replies == 2, "refused files change nothing else"


def test_a_request_opens_its_ticket_with_the_refused_files_in_the_opened_event(app: Tickets) -> None:
    [ticket] = app.open_many([open_request(requested())])
    [opened] = stored(app, ticket.id)
    assert isinstance(opened, Ticket.Opened)
    assert pairs(opened) == PAIRS
    assert list(opened.attachment_ids) == ["file-1"]
    [again] = app.open_many([open_request(requested())])  # a redelivery
    assert again.id == ticket.id and len(stored(app, ticket.id)) == 1


def test_an_emailed_reply_keeps_its_refused_files_and_a_redelivery_adds_nothing(app: Tickets) -> None:
    [ticket] = app.open_many([open_request(requested())])
    receive_reply(app, reply("email:<r@x>", ticket))
    receive_reply(app, reply("email:<r@x>", ticket))
    [replied] = [e for e in stored(app, ticket.id) if isinstance(e, Ticket.Replied)]
    assert pairs(replied) == [("fatura.exe", "extension_not_allowed")]


def test_a_reply_nobody_can_place_opens_a_ticket_that_keeps_its_refused_files(app: Tickets) -> None:
    [ticket] = app.open_many([open_request(requested())])
    stranger = receive_reply(app, reply("email:<s@x>", ticket, sender="joao@example.com"))
    assert stranger.id != ticket.id
    [opened] = stored(app, stranger.id)
    assert isinstance(opened, Ticket.Opened) and pairs(opened) == [("fatura.exe", "extension_not_allowed")]


def test_a_late_answer_opens_a_follow_up_that_keeps_its_refused_files(app: Tickets, clock: Clock) -> None:
    [ticket] = app.open_many([open_request(requested())])
    app.finish(ticket.id, None, actor_kind=AGENT, actor="ana")
    clock.now += timedelta(days=30)
    follow_up = receive_reply(app, reply("email:<late@x>", ticket))
    assert follow_up.id != ticket.id and follow_up.reopens == ticket.number
    [opened] = stored(app, follow_up.id)
    assert pairs(opened) == [("fatura.exe", "extension_not_allowed")]


def test_portal_opens_and_replies_carry_none(app: Tickets) -> None:
    ticket = app.open(
        "portal:1",
        channel="portal",
        customer_email="maria@example.com",
        customer_name="Maria",
        subject="Boleto",
        body="Olá",
        department=None,
    )
    app.reply(ticket.id, None, reply_id="a1", author_kind=AGENT, author="ana", body="Oi", channel="portal")
    assert [pairs(e) for e in stored(app, ticket.id) if hasattr(e, "refused_attachments")] == [[], []]


def _as_stored_by_an_older_release(app: Tickets, event: Any, version: int, *removed: str) -> Any:
    """The event as ``version`` of its class wrote it, read back through the mapper (and its upcasters)."""
    record = app.mapper.to_stored_event(event)
    state = json.loads(record.state)
    for name in removed:
        del state[name]
    if version == 1:
        state.pop("class_version", None)  # version 1 wrote none
    else:
        state["class_version"] = version
    return app.mapper.to_domain_event(replace(record, state=json.dumps(state).encode()))


def test_events_stored_before_refused_attachments_existed_are_upcast_with_none(app: Tickets) -> None:
    [ticket] = app.open_many([open_request(requested())])
    receive_reply(app, reply("email:<r@x>", ticket))
    opened, replied = stored(app, ticket.id)[:2]
    assert isinstance(opened, Ticket.Opened) and isinstance(replied, Ticket.Replied)

    old_opened = _as_stored_by_an_older_release(app, opened, 1, "refused_attachments")
    assert old_opened.refused_attachments == ()
    assert (old_opened.number, old_opened.subject) == (opened.number, opened.subject)
    old_reply = _as_stored_by_an_older_release(app, replied, 2, "refused_attachments")
    assert (old_reply.refused_attachments, old_reply.threaded_by) == ((), "in-reply-to")
    oldest_reply = _as_stored_by_an_older_release(app, replied, 1, "refused_attachments", "threaded_by")
    assert (oldest_reply.refused_attachments, oldest_reply.threaded_by) == ((), None)
    # The upcast events still rebuild the ticket (and its views): nothing else depended on the field.
    rebuilt = Ticket.Opened.mutate(old_opened, None)
    assert rebuilt is not None and rebuilt.number == ticket.number


def test_the_relay_publishes_the_refused_files_with_the_receipt_and_the_reply(app: Tickets) -> None:
    [ticket] = app.open_many([open_request(requested())])
    receive_reply(app, reply("email:<r@x>", ticket))
    translate = Translator(app.get)
    published = [translate(e) for e in stored(app, ticket.id)]
    opened = next(p.message for p in published if p and isinstance(p.message, TicketOpenedV1))
    assert opened.refused_attachments == [EXE, ZIP]
    replied = next(p.message for p in published if p and isinstance(p.message, TicketRepliedV1))
    assert replied.refused_attachments == [EXE]

"""The notifier's pure rules: which events mail, and how each mail is addressed, marked and threaded."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage

import pytest

from contracts import Message
from contracts.common import ActorKind, Channel
from contracts.tickets import (
    TicketClosedV1,
    TicketOpenedV1,
    TicketRepliedV1,
    TicketStatus,
    TicketStatusChangedV1,
)
from notifier.adapters.templates import Templates
from notifier.domain.envelope import compose, message_id, thread_root
from notifier.domain.marking import LOOP_HEADER
from notifier.domain.notifications import Kind, KnownTicket, notice_for

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
TICKET = "5b0e4c1e-0000-4000-8000-000000000001"


def opened(subject: str = "Boleto vencido", name: str = "Maria") -> TicketOpenedV1:
    return TicketOpenedV1(
        ticket_id=TICKET,
        number=1042,
        channel=Channel.PORTAL,
        customer_email="maria@example.com",
        customer_name=name,
        subject=subject,
        status=TicketStatus.WAITING,
        opened_at=NOW,
    )


def status_changed(
    status: TicketStatus = TicketStatus.IN_PROGRESS,
    by: ActorKind = ActorKind.AGENT,
    previous: TicketStatus = TicketStatus.WAITING,
) -> TicketStatusChangedV1:
    return TicketStatusChangedV1(
        ticket_id=TICKET,
        number=1042,
        customer_email="maria@example.com",
        previous_status=previous,
        status=status,
        changed_by=by,
        changed_at=NOW,
    )


def replied(author: ActorKind) -> TicketRepliedV1:
    return TicketRepliedV1(
        ticket_id=TICKET,
        number=1042,
        reply_id="r1",
        customer_email="maria@example.com",
        author_kind=author,
        author_name="agent-7f3a",
        body="Segue a <b>segunda via</b>.",
        channel=Channel.PORTAL,
        replied_at=NOW,
    )


def closed() -> TicketClosedV1:
    return TicketClosedV1(
        ticket_id=TICKET,
        number=1042,
        customer_email="maria@example.com",
        closed_by=ActorKind.AGENT,
        closed_at=NOW,
    )


KNOWN = KnownTicket(TICKET, 1042, "Boleto vencido", "maria@example.com", "Maria")


def mail(message: Message, *, event_id: str = "tickets:x:1", language: str = "pt-BR") -> EmailMessage:
    known = None if isinstance(message, TicketOpenedV1) else KNOWN
    notice = notice_for(message, known, language)
    assert notice is not None
    text, html = Templates(language, "https://atende.example.com/").render(notice)
    return compose(
        notice,
        event_id=event_id,
        text=text,
        html=html,
        mail_from="Atende <suporte@atende.local>",
        support_address="suporte@atende.local",
        date=NOW,
    )


def bodies(email: EmailMessage) -> tuple[str, str]:
    text, html = email.get_body(("plain",)), email.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        (opened(), Kind.OPENED),
        (status_changed(), Kind.STATUS_CHANGED),
        (replied(ActorKind.AGENT), Kind.REPLIED),
        (closed(), Kind.CLOSED),
        (replied(ActorKind.CUSTOMER), None),
        (replied(ActorKind.SYSTEM), None),
        # Only an agent's reply leads there; its own mail names the new status: one answer, one mail.
        (status_changed(TicketStatus.AWAITING_CUSTOMER), None),
        # The customer's own reply moved it (awaiting → in progress, or a reopen): not news to them.
        (status_changed(TicketStatus.IN_PROGRESS, ActorKind.CUSTOMER, TicketStatus.AWAITING_CUSTOMER), None),
        (status_changed(TicketStatus.WAITING, ActorKind.CUSTOMER, TicketStatus.FINISHED), None),
        (status_changed(TicketStatus.WAITING, ActorKind.AGENT, TicketStatus.FINISHED), Kind.STATUS_CHANGED),
    ],
)
def test_which_events_mail_the_customer(message: Message, kind: Kind | None) -> None:
    notice = notice_for(message, KNOWN, "pt-BR")
    assert (notice.kind if notice else None) == kind


def test_receipt_is_the_thread_root_and_later_mails_answer_it() -> None:
    receipt = mail(opened())
    root = thread_root(TICKET, "atende.local")
    assert receipt["Message-ID"] == root == f"<ticket-{TICKET}@atende.local>"
    assert receipt["In-Reply-To"] is None
    for event in (status_changed(), replied(ActorKind.AGENT), closed()):
        later = mail(event, event_id="tickets:abc:7")
        assert later["Message-ID"] == message_id("tickets:abc:7", "atende.local")
        assert later["In-Reply-To"] == root and later["References"] == root
        assert later["Subject"] == "[#1042] Boleto vencido"


def test_message_id_is_deterministic_per_event() -> None:
    first = mail(status_changed(), event_id="tickets:abc:2")
    again = mail(status_changed(), event_id="tickets:abc:2")
    other = mail(status_changed(), event_id="tickets:abc:3")
    assert first["Message-ID"] == again["Message-ID"] != other["Message-ID"]
    assert first.as_bytes() == again.as_bytes()  # the same event is the very same mail
    assert len(first["Message-ID"].split("@")[0]) == 33  # "<" + 32 hex digits


def test_addresses_and_automatic_marks() -> None:
    email = mail(opened())
    assert email["From"] == "Atende <suporte@atende.local>"
    assert email["To"] == "Maria <maria@example.com>"
    assert email["Reply-To"] == "suporte@atende.local"
    assert email["Auto-Submitted"] == "auto-generated"
    assert email["X-Auto-Response-Suppress"] == "All"
    assert email[LOOP_HEADER] == "atende.local"
    assert email["Subject"] == "[#1042] Boleto vencido"


def test_header_injection_in_subject_or_name_never_breaks_a_header() -> None:
    email = mail(opened(subject="Oi\r\nBcc: evil@example.com", name="Eve\r\nBcc: evil@example.com\n"))
    head = email.as_bytes().split(b"\r\n\r\n", 1)[0]
    names = [line.split(b":", 1)[0] for line in head.split(b"\r\n") if line and line[:1] not in b" \t"]
    assert b"Bcc" not in names
    for name, value in email.items():
        assert "\r" not in str(value) and "\n" not in str(value), name
    assert email["Subject"] == "[#1042] Oi Bcc: evil@example.com"


def test_bodies_in_portuguese_name_the_status_and_escape_html() -> None:
    text, html = bodies(mail(status_changed(TicketStatus.WAITING)))
    assert '"Em espera"' in text and TicketStatus.WAITING.meaning() in text
    assert "https://atende.example.com/tickets/" + TICKET in text
    assert "responder a este e-mail" in text
    reply_text, reply_html = bodies(mail(replied(ActorKind.AGENT)))
    assert "Segue a <b>segunda via</b>." in reply_text
    assert "Segue a &lt;b&gt;segunda via&lt;/b&gt;." in reply_html and "<b>segunda" not in reply_html
    assert "Equipe de suporte" in reply_text and "agent-7f3a" not in reply_text + reply_html
    assert "Aguardando sua resposta" in reply_text and TicketStatus.AWAITING_CUSTOMER.meaning() in reply_text
    closed_text, _ = bodies(mail(closed()))
    assert "Finalizado" in closed_text and "14 dias" in closed_text
    receipt, _ = bodies(mail(opened()))
    assert "#1042" in receipt and "Boleto vencido" in receipt and "Em espera" in receipt
    assert html.count("Em espera") == 1 and reply_html.count("Aguardando sua resposta") == 1


def test_bodies_in_english() -> None:
    text, _ = bodies(mail(status_changed(), language="en"))
    assert "In progress" in text and TicketStatus.IN_PROGRESS.meaning("en") in text
    assert "reply to this email" in text
    reply, _ = bodies(mail(replied(ActorKind.AGENT), language="en"))
    assert "Support team" in reply and "Awaiting your reply" in reply
    closed_text, _ = bodies(mail(closed(), language="en"))
    assert "Finished" in closed_text and "14 days" in closed_text


def test_an_unknown_ticket_still_mails_with_its_tag() -> None:
    notice = notice_for(status_changed(), None, "pt-BR")
    assert notice is not None
    assert notice.ticket.subject == "" and notice.ticket.number == 1042
    assert notice.ticket.customer_email == "maria@example.com"

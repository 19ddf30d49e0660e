"""Bounces: standard delivery-status reports and mailer-daemon's other shapes, and where they lead."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contracts.tickets import TicketBounceReceivedV1
from mail_ingest.domain.parsing import parse, summarize
from mail_ingest.domain.threads import Kind, decide
from mail_ingest.triage import triage

NOW = datetime(2026, 11, 23, tzinfo=UTC)
TICKET = "0b9f3c1e-6a3e-5d2b-9b1e-0f6c2a7d8e90"
ROOT = f"<ticket-{TICKET}@atende.local>"
ORIGINAL = (
    "From: Atende <suporte@atende.local>\n"
    "To: Maria <maria@example.com>\n"
    "Subject: [#1042] Boleto vencido\n"
    "Message-ID: <0123456789abcdef0123456789abcdef@atende.local>\n"
    f"In-Reply-To: {ROOT}\n"
    f"References: {ROOT}\n"
    "X-Atende-Loop: atende.local\n"
)


def crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode()


def report(
    *,
    action: str = "failed",
    status: str = "5.1.1",
    original: str = ORIGINAL,
    original_type: str = "text/rfc822-headers",
    recipient: str = "maria@example.com",
) -> bytes:
    """A delivery-status notification as Postfix sends it (RFC 3464)."""
    return crlf(
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\n"
        "To: suporte@atende.local\n"
        "Subject: Undelivered Mail Returned to Sender\n"
        "Message-ID: <20261123090000.ABC@mx.example.com>\n"
        "Auto-Submitted: auto-replied\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n'
        "\n--B\nContent-Type: text/plain; charset=us-ascii\n\n"
        "I'm sorry to have to inform you that your message could not be delivered.\n"
        "\n--B\nContent-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mx.example.com\nArrival-Date: Mon, 23 Nov 2026 09:00:00 +0000\n\n"
        f"Final-Recipient: rfc822; {recipient}\nOriginal-Recipient: rfc822;{recipient.upper()}\n"
        f"Action: {action}\nStatus: {status}\nRemote-MTA: dns; mx.example.com\n"
        f"Diagnostic-Code: smtp; 550 {status} <{recipient}>: Recipient address rejected:\n"
        " User unknown in virtual mailbox table\n"
        f"\n--B\nContent-Type: {original_type}\n\n{original}\n--B--\n"
    )


EXIM = crlf(
    "From: Mail Delivery System <Mailer-Daemon@mx.example.org>\n"
    "To: suporte@atende.local\n"
    "Subject: Mail delivery failed: returning message to sender\n"
    "Message-ID: <E1x-exim@mx.example.org>\n"
    "X-Failed-Recipients: joao@example.org\n"
    "Auto-Submitted: auto-replied\n"
    "\n"
    "This message was created automatically by mail delivery software.\n\n"
    "A message that you sent could not be delivered to one or more of its\n"
    "recipients. This is a permanent error. The following address(es) failed:\n\n"
    "  joao@example.org\n"
    "    host mx.example.org [10.4.1.17]\n"
    "    SMTP error from remote mail server after RCPT TO:<joao@example.org>:\n"
    "    550 5.2.1 The email account that you tried to reach is disabled.\n\n"
    "------ This is a copy of the message, including all the headers. ------\n\n"
    "Message-ID: <fedcba9876543210fedcba9876543210@atende.local>\n"
    f"In-Reply-To: {ROOT}\n"
    "Subject: [#1042] Boleto vencido\n\nSegue a segunda via.\n"
)


def test_a_delivery_status_report_names_recipient_status_diagnostic_and_the_ticket() -> None:
    mail = parse(report())
    assert mail.bounce is not None
    assert (mail.bounce.recipient, mail.bounce.status) == ("maria@example.com", "5.1.1")
    assert mail.bounce.diagnostic == (
        "550 5.1.1 <maria@example.com>: Recipient address rejected: User unknown in virtual mailbox table"
    )
    decision = decide(mail)
    assert (decision.kind, decision.ticket_id) == (Kind.BOUNCE, TICKET)

    outcome = triage(report(), NOW)
    assert (outcome.outcome, outcome.reason) == ("bounced", "5.1.1 maria@example.com")
    assert isinstance(outcome.message, TicketBounceReceivedV1)
    assert outcome.message.ticket_id == TICKET and outcome.message.recipient == "maria@example.com"
    assert outcome.message.request_id == "email:<20261123090000.ABC@mx.example.com>"
    assert outcome.nats_id == "mail:<20261123090000.ABC@mx.example.com>"


def test_the_original_attached_whole_finds_the_ticket_by_the_receipts_own_message_id() -> None:
    receipt = ORIGINAL.replace("<0123456789abcdef0123456789abcdef@atende.local>", ROOT)
    receipt = "\n".join(
        line for line in receipt.splitlines() if not line.startswith(("In-Reply-To", "References"))
    )
    mail = parse(report(original=receipt + "\n\nRecebemos sua solicitação.", original_type="message/rfc822"))
    assert decide(mail).ticket_id == TICKET


def test_a_mailer_daemon_text_with_an_inline_copy_is_a_bounce_too() -> None:
    mail = parse(EXIM)
    assert mail.bounce is not None
    assert (mail.bounce.recipient, mail.bounce.status) == ("joao@example.org", "5.2.1")  # not the IP's 4.1.17
    assert mail.bounce.diagnostic == "550 5.2.1 The email account that you tried to reach is disabled."
    assert decide(mail).ticket_id == TICKET  # from the copy quoted in the text


def test_without_our_ids_the_original_subject_tag_is_the_hint() -> None:
    bare = (
        "From: suporte@atende.local\nTo: maria@example.com\nSubject: Re: [#1042] Boleto\nMessage-ID: <x@y>\n"
    )
    decision = decide(parse(report(original=bare)))
    assert (decision.kind, decision.ticket_id, decision.number) == (Kind.BOUNCE, None, 1042)


def test_a_bounce_about_no_ticket_of_ours_is_only_recorded() -> None:
    # Backscatter: someone else's spam sent in our name came back.
    spam = "From: suporte@atende.local\nTo: maria@example.com\nSubject: Promo\nMessage-ID: <spam@x>\n"
    outcome = triage(report(original=spam), NOW)
    assert (outcome.outcome, outcome.reason, outcome.message) == ("bounced", "no_ticket", None)


@pytest.mark.parametrize("action", ["delayed", "delivered", "relayed"])
def test_a_report_that_is_no_failure_is_ignored(action: str) -> None:
    outcome = triage(report(action=action, status="4.4.1"), NOW)
    assert (outcome.outcome, outcome.reason, outcome.message) == ("ignored", f"delivery_{action}", None)


def test_other_mailer_daemon_mail_stays_an_ignored_auto_reply() -> None:
    notice = crlf(
        "From: MAILER-DAEMON@mx.example.com\nSubject: Greylisted\nMessage-ID: <g@x>\n\nTry later.\n"
    )
    assert parse(notice).bounce is None
    assert (triage(notice, NOW).outcome, triage(notice, NOW).reason) == ("ignored", "mailer_daemon")


def test_what_admins_see_comes_from_the_headers_alone() -> None:
    head = crlf(
        "From: Ana <ANA@Example.com>\nSubject: =?utf-8?q?Solicita=C3=A7=C3=A3o?=\nDate: Mon, 23 Nov 2026 09:30:00 -0300\n\n"
    )
    summary = summarize(head)
    assert (summary.sender, summary.subject, summary.message_id) == ("ana@example.com", "Solicitação", None)
    assert summary.date == datetime(2026, 11, 23, 12, 30, tzinfo=UTC)
    assert summarize(b"\x00garbage") == summarize(b"\x00garbage")  # never raises


def test_a_null_sender_notice_with_the_original_attached_is_a_bounce() -> None:
    notice = crlf(
        "Return-Path: <>\n"
        "From: Sistema de E-mail <noreply@mail.example.net>\n"
        "Subject: Falha na entrega\n"
        "Message-ID: <ndr-1@mail.example.net>\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="M"\n'
        "\n--M\nContent-Type: text/plain; charset=utf-8\n\n"
        "Não foi possível entregar a mensagem: 552 5.2.2 caixa de correio cheia.\n"
        f"\n--M\nContent-Type: message/rfc822\n\n{ORIGINAL}\nSegue a segunda via.\n\n--M--\n"
    )
    mail = parse(notice)
    assert mail.bounce is not None
    assert (mail.bounce.recipient, mail.bounce.status) == ("maria@example.com", "5.2.2")  # the original's To
    assert mail.bounce.diagnostic == "Não foi possível entregar a mensagem: 552 5.2.2 caixa de correio cheia."
    assert decide(mail).ticket_id == TICKET

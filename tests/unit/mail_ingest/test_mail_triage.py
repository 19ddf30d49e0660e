"""Incoming mail: parsing, body text, threading and what is ignored or quarantined."""

from __future__ import annotations

from datetime import UTC, datetime

from contracts.tickets import TicketReplyReceivedV1, TicketRequestedV1
from mail_ingest.domain.parsing import parse, synthetic_message_id
from mail_ingest.domain.threads import Kind, decide
from mail_ingest.text import body_text
from mail_ingest.triage import triage

NOW = datetime(2026, 11, 22, tzinfo=UTC)
TICKET = "0b9f3c1e-6a3e-5d2b-9b1e-0f6c2a7d8e90"


def raw(headers: str, body: str = "Olá, preciso de ajuda.\n", charset: str = "utf-8") -> bytes:
    top = "From: Maria Silva <Maria@Example.COM>\nTo: suporte@atende.local\n"
    mime = f"MIME-Version: 1.0\nContent-Type: text/plain; charset={charset}\n"
    return (
        (top + headers + mime + "\n" + body)
        .replace("\n", "\r\n")
        .encode(charset if charset != "x-broken" else "latin-1")
    )


def test_a_plain_mail_becomes_a_request_with_sender_subject_and_body() -> None:
    mail = parse(raw("Subject: Boleto vencido\nMessage-ID: <a1@example.com>\n"))
    assert (mail.sender, mail.sender_name, mail.subject) == (
        "maria@example.com",
        "Maria Silva",
        "Boleto vencido",
    )
    outcome = triage(raw("Subject: Boleto vencido\nMessage-ID: <a1@example.com>\n"), NOW)
    assert outcome.outcome == "requested"
    assert isinstance(outcome.message, TicketRequestedV1)
    assert outcome.message.request_id == "email:<a1@example.com>"
    assert outcome.message.source_ref == "<a1@example.com>"
    assert outcome.message.body == "Olá, preciso de ajuda."
    assert outcome.nats_id == "mail:<a1@example.com>"


def test_html_only_mail_becomes_text() -> None:
    message = (
        "From: ana@example.com\r\nSubject: Oi\r\nMessage-ID: <h@x>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/html; charset=utf-8\r\n\r\n"
        "<html><head><style>p{color:red}</style></head><body><p>Olá <b>mundo</b></p>"
        "<div>linha 2<br>linha 3</div><script>alert(1)</script></body></html>"
    ).encode()
    assert body_text(parse(message), reply=False) == "Olá mundo\nlinha 2\nlinha 3"


def test_a_broken_charset_is_decoded_with_replacements() -> None:
    message = raw("Subject: x\nMessage-ID: <c@x>\n", body="Solicita\xe7\xe3o\n", charset="x-broken")
    body = body_text(parse(message), reply=False)
    assert body.startswith("Solicita") and "\ufffd" in body
    latin = raw("Subject: x\nMessage-ID: <l@x>\n", body="Solicitação\n", charset="iso-8859-1")
    assert body_text(parse(latin), reply=False) == "Solicitação"


def test_a_mail_without_message_id_gets_a_stable_synthetic_one() -> None:
    message = raw("Subject: sem id\n")
    assert parse(message).message_id == synthetic_message_id(message) == parse(message).message_id
    assert parse(message).message_id.endswith("@atende.invalid>")


def test_a_reply_keeps_only_the_new_text() -> None:
    body = (
        "Obrigada, deu certo!\n\nMaria\n-- \nMaria Silva\nFone 1234\n\n"
        "Em qua., 20 de nov. de 2026 às 10:00, Suporte <suporte@atende.local> escreveu:\n> Segue o boleto.\n"
    )
    headers = f"Subject: Re: [#1042] Boleto\nMessage-ID: <r@x>\nIn-Reply-To: <ticket-{TICKET}@atende.local>\n"
    outcome = triage(raw(headers, body=body), NOW)
    assert isinstance(outcome.message, TicketReplyReceivedV1)
    assert outcome.message.body == "Obrigada, deu certo!\n\nMaria"
    english = "Thanks!\n\nOn Wed, Nov 20, 2026 at 10:00 AM Support <s@atende.local> wrote:\n> Here\n"
    assert body_text(parse(raw(headers, body=english)), reply=True) == "Thanks!"
    assert body_text(parse(raw(headers, body="Certo.\n\n> antes\n> mais\n")), reply=True) == "Certo."


def test_threading_prefers_in_reply_to_then_references_then_the_subject_tag() -> None:
    by_reply = decide(parse(raw(f"Subject: Re: x\nIn-Reply-To: <ticket-{TICKET}@atende.local>\n")))
    assert (by_reply.kind, by_reply.ticket_id, by_reply.threaded_by) == (Kind.REPLY, TICKET, "in-reply-to")
    refs = f"References: <other@x> <ticket-{TICKET}@atende.local> <abc@atende.local>\nIn-Reply-To: <abc@atende.local>\n"
    by_refs = decide(parse(raw("Subject: Re: x\n" + refs)))
    assert (by_refs.ticket_id, by_refs.threaded_by) == (TICKET, "references")
    by_tag = decide(parse(raw("Subject: Re: [#1042] Boleto\n")))
    assert (by_tag.kind, by_tag.number, by_tag.threaded_by) == (Kind.REPLY, 1042, "subject-tag")
    assert decide(parse(raw("Subject: Novo pedido [#0]\n"))).kind is Kind.NEW


def test_automatic_mail_and_our_own_loop_are_ignored_with_a_reason() -> None:
    vacation = triage(
        raw(f"Subject: Ausente\nAuto-Submitted: auto-replied\nIn-Reply-To: <ticket-{TICKET}@a>\n"), NOW
    )
    assert (vacation.outcome, vacation.reason, vacation.message) == ("ignored", "auto_submitted", None)
    loop = triage(raw("Subject: [#1042] x\nX-Atende-Loop: atende.local\n"), NOW)
    assert (loop.outcome, loop.reason) == ("ignored", "own_loop_header")


def test_mail_without_a_usable_sender_is_quarantined() -> None:
    nobody = b"Subject: x\r\nMessage-ID: <q@x>\r\n\r\nbody\r\n"
    assert (triage(nobody, NOW).outcome, triage(nobody, NOW).reason) == ("quarantined", "no_sender")
    bad = b"From: not an address\r\nSubject: x\r\n\r\nbody\r\n"
    assert triage(bad, NOW).outcome == "quarantined"

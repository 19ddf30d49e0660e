"""The malformed-mail corpus through triage alone: each mail gets its verdict and nothing unsafe goes on."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import default

import pytest
from support.mail_corpus import INJECTED, CorpusMail, corpus

from contracts.tickets import TicketReplyReceivedV1, TicketRequestedV1
from mail_ingest.entrypoints.poller import fetch_groups
from mail_ingest.intake import oversized
from mail_ingest.triage import Outcome, triage
from notifier.domain.envelope import compose
from notifier.domain.notifications import Kind, KnownTicket, Notice

NOW = datetime(2026, 11, 22, tzinfo=UTC)
TICKET = "0b9f3c1e-6a3e-5d2b-9b1e-0f6c2a7d8e90"
CAP = 1024 * 1024  # small here: the size limit is the poller's, and big mails only cost time
MAILS = corpus("unit", TICKET, CAP)
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]")


def verdict(mail: CorpusMail) -> Outcome:
    """What intake would record, short of the database: too-large mail is never parsed."""
    if len(mail.raw) > CAP:
        return oversized(mail.raw, len(mail.raw), CAP)
    return triage(mail.raw, NOW)


@pytest.mark.parametrize("mail", MAILS, ids=[mail.name for mail in MAILS])
def test_each_corpus_mail_gets_its_verdict_and_no_line_break_in_a_field(mail: CorpusMail) -> None:
    """One line for the whole contract: outcome, reason, and no control character in what is published."""
    outcome = verdict(mail)
    # A second copy of a Message-ID is triaged like the first; intake then records it as a duplicate.
    expected = "requested" if mail.expected == "duplicate" else mail.expected
    assert (outcome.outcome, (outcome.reason or "").startswith(mail.reason or "")) == (expected, True), (
        outcome.reason
    )
    message = outcome.message
    if message is None:
        return
    assert isinstance(message, TicketRequestedV1 | TicketReplyReceivedV1)
    for field in (message.subject, message.customer_name, message.customer_email, message.source_ref or ""):
        assert not _UNSAFE.search(field), field
    assert all(not _UNSAFE.search(refused.filename) for refused in message.refused_attachments)
    assert all(not _UNSAFE.search(attachment.filename) for attachment in outcome.attachments)


def test_the_receipt_of_every_corpus_request_carries_only_the_notifiers_own_headers() -> None:
    """The notifier's receipt, built from each request as tickets would open it, adds no injected header."""
    requests = [o.message for o in map(verdict, MAILS) if isinstance(o.message, TicketRequestedV1)]
    assert len(requests) >= 30
    expected = {"From", "To", "Reply-To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"}
    for number, request in enumerate(requests, start=1):
        ticket = KnownTicket(TICKET, number, request.subject, request.customer_email, request.customer_name)
        mail = compose(
            Notice(Kind.OPENED, ticket),
            event_id=f"e{number}",
            text=request.body,
            html="<p>recebido</p>",
            mail_from="Atende <suporte@atende.local>",
            support_address="suporte@atende.local",
            date=NOW,
        )
        sent = message_from_bytes(mail.as_bytes(), policy=default)
        names = set(sent.keys())
        assert INJECTED not in names and "Cc" not in names, request.subject
        assert names - {"Auto-Submitted", "X-Auto-Response-Suppress", "X-Atende-Loop"} == expected
        assert [address.addr_spec for address in sent["To"].addresses] == [request.customer_email]
        assert str(sent["Subject"]).startswith(f"[#{number}] ")


def test_header_names_are_read_whatever_their_case() -> None:
    """``Message-Id`` and ``FROM`` are the same headers as ``Message-ID`` and ``From`` (RFC 5322 §1.2.2)."""
    raw = b"FROM: Ana <ana@example.com>\r\nsubject: Oi\r\nMessage-Id: <odd-case@example.com>\r\n\r\nOi\r\n"
    outcome = triage(raw, NOW)
    assert (outcome.outcome, outcome.message_id) == ("requested", "<odd-case@example.com>")
    assert isinstance(outcome.message, TicketRequestedV1)
    assert (outcome.message.customer_email, outcome.message.subject) == ("ana@example.com", "Oi")


def test_the_poller_fetches_at_most_one_size_limit_of_mail_at_a_time() -> None:
    """Mail just under the limit is fetched one by one; small mail together; mail over it costs its header."""
    sizes = {1: 90, 2: 20, 3: 70, 4: 500, 5: 10, 6: 100}
    assert fetch_groups([1, 2, 3, 4, 5, 6], sizes, budget=100) == [[1], [2, 3, 4, 5], [6]]

"""mail-ingest's safety nets on real servers: bounces, the sender cap, the size limit, admins' retry."""

from __future__ import annotations

import uuid

import pytest
from imapclient import IMAPClient
from mailbox_helpers import append, flags, intake, seen, watching
from support import infra
from support.waiting import eventually

from contracts.mail import (
    ListQuarantinedMailV1,
    MailOutcome,
    QuarantinedMailListV1,
    QuarantinedMailRetriedV1,
    RetryQuarantinedMailV1,
)
from contracts.subjects import LIST_QUARANTINED_MAIL_V1, RETRY_QUARANTINED_MAIL_V1
from mail_ingest.bootstrap import bootstrap
from plumbing.bus import Bus, RemoteError


def dsn(token: str, ticket: str) -> str:
    """A delivery-status report about our mail to maria (the original's headers attached)."""
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\n"
        "To: suporte@atende.local\n"
        "Subject: Undelivered Mail Returned to Sender\n"
        f"Message-ID: <bounce-{token}@mx.example.com>\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n'
        "\n--B\nContent-Type: text/plain\n\nYour message could not be delivered.\n"
        "\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.com\n\n"
        "Final-Recipient: rfc822; maria@example.com\nAction: failed\nStatus: 5.1.1\n"
        "Diagnostic-Code: smtp; 550 5.1.1 user unknown\n"
        "\n--B\nContent-Type: text/rfc822-headers\n\n"
        f"To: maria@example.com\nSubject: [#1042] Boleto\nMessage-ID: <m-{token}@atende.local>\n"
        f"References: <ticket-{ticket}@atende.local>\n"
        "\n--B--\n"
    )


def plain(sender: str, token: str, name: str, body: str = "Oi") -> str:
    return f"From: {sender}\nSubject: {name} {token}\nMessage-ID: <{name}-{token}@example.com>\n\n{body}\n"


async def test_bounces_go_to_tickets_storms_are_capped_and_large_mail_is_held(
    mail: infra.Mail, bus: Bus, nats_url: str, postgres_url: str
) -> None:
    token = uuid.uuid4().hex[:12]
    folder = f"t{token}"
    ticket = str(uuid.uuid4())
    append(mail, folder, dsn(token, ticket))
    for n in range(3):
        append(mail, folder, plain("storm@example.com", token, f"storm{n}"))
    append(mail, folder, plain("ana@example.com", token, "big", body="x" * 6000))
    append(mail, folder, f"Subject: nobody {token}\nMessage-ID: <nobody-{token}@example.com>\n\nOi\n")
    settings = watching(
        mail, folder, nats_url, postgres_url, 0.2, mails_per_sender_hour=2, max_mail_bytes=4096
    )
    async with bootstrap(settings):
        await eventually(lambda: len(seen(postgres_url)) == 6, what="six mails recorded")

    recorded = seen(postgres_url)
    assert recorded[f"<bounce-{token}@mx.example.com>"] == ("bounced", "5.1.1 maria@example.com")
    assert [recorded[f"<storm{n}-{token}@example.com>"][0] for n in range(3)] == [
        "requested",
        "requested",
        "capped",
    ]
    assert recorded[f"<storm2-{token}@example.com>"][1] == "sender_cap:2/h"
    big = recorded[f"<big-{token}@example.com>"]
    assert big[0] == "quarantined" and big[1] is not None and big[1].startswith("too_large:")
    assert recorded[f"<nobody-{token}@example.com>"] == ("quarantined", "no_sender")
    published = await intake(bus, token)
    assert [subject.rsplit(".", 2)[-2] for subject, _ in published] == [
        "bounce-received",
        "requested",
        "requested",
    ]
    assert published[0][1].data["ticket_id"] == ticket
    assert all({b"\\Seen", b"$AtendeProcessed"} <= found for found in flags(mail, folder))


async def test_admins_list_held_mail_and_a_retry_opens_a_ticket_exactly_once(
    mail: infra.Mail, bus: Bus, nats_url: str, postgres_url: str
) -> None:
    token = uuid.uuid4().hex[:12]
    folder = f"t{token}"
    append(mail, folder, plain("loop@example.com", token, "first"))
    append(mail, folder, plain("loop@example.com", token, "second"))
    append(mail, folder, f"Subject: nobody {token}\nMessage-ID: <nobody-{token}@example.com>\n\nOi\n")
    append(
        mail,
        folder,
        plain("ana@example.com", token, "away").replace("\n\n", "\nAuto-Submitted: auto-replied\n\n", 1),
    )
    append(mail, folder, f"Subject: gone {token}\nMessage-ID: <gone-{token}@example.com>\n\nOi\n")
    settings = watching(mail, folder, nats_url, postgres_url, 0.2, mails_per_sender_hour=1)
    async with bootstrap(settings):
        await eventually(lambda: len(seen(postgres_url)) == 5, what="five mails recorded")

        async def held(*outcomes: MailOutcome) -> QuarantinedMailListV1:
            query = ListQuarantinedMailV1(outcomes=list(outcomes))
            return await bus.request(LIST_QUARANTINED_MAIL_V1, query, QuarantinedMailListV1)

        quarantined = await held(MailOutcome.QUARANTINED)
        assert quarantined.total == 2 and {m.message_id for m in quarantined.mails} == {
            f"<nobody-{token}@example.com>",
            f"<gone-{token}@example.com>",
        }
        assert all(m.sender is None and m.reason == "no_sender" for m in quarantined.mails)
        [away] = (await held(MailOutcome.IGNORED)).mails
        assert (away.sender, away.subject, away.reason) == (
            "ana@example.com",
            f"away {token}",
            "auto_submitted",
        )
        [capped] = (await held(MailOutcome.CAPPED)).mails
        assert capped.message_id == f"<second-{token}@example.com>" and capped.size and capped.date is None

        async def retry(uidvalidity: int, uid: int) -> QuarantinedMailRetriedV1:
            command = RetryQuarantinedMailV1(uidvalidity=uidvalidity, uid=uid)
            return await bus.request(RETRY_QUARANTINED_MAIL_V1, command, QuarantinedMailRetriedV1, timeout=30)

        done = await retry(capped.uidvalidity, capped.uid)
        assert done.published and done.mail.outcome is MailOutcome.REQUESTED and done.mail.retries == 1
        with pytest.raises(RemoteError) as again:
            await retry(capped.uidvalidity, capped.uid)  # it opened a ticket: nothing to retry
        assert (again.value.code, again.value.reason) == ("409", "mail_not_retryable")
        requests = [e for s, e in await intake(bus, token) if s.endswith(".requested.v1")]
        assert [e.data["subject"] for e in requests] == [f"first {token}", f"second {token}"]

        nobody = next(m for m in quarantined.mails if m.message_id.startswith("<nobody"))
        still = await retry(nobody.uidvalidity, nobody.uid)
        assert (still.published, still.mail.outcome, still.mail.reason) == (
            False,
            MailOutcome.QUARANTINED,
            "no_sender",
        )
        assert still.mail.retries == 1 and still.mail.retried_at is not None

        gone = next(m for m in quarantined.mails if m.message_id.startswith("<gone"))
        expunge(mail, folder, gone.uid)
        with pytest.raises(RemoteError) as missing:
            await retry(gone.uidvalidity, gone.uid)
        assert (missing.value.code, missing.value.reason) == ("409", "mail_gone")
        with pytest.raises(RemoteError) as unknown:
            await retry(gone.uidvalidity, 999_999)
        assert (unknown.value.code, unknown.value.reason) == ("404", "mail_not_found")


def expunge(mail: infra.Mail, folder: str, uid: int) -> None:
    with IMAPClient(mail.imap_host, port=mail.imap_port, ssl=False, timeout=10) as client:
        client.login(mail.imap_user, mail.imap_password)
        client.select_folder(folder)
        client.delete_messages([uid])
        client.uid_expunge([uid])

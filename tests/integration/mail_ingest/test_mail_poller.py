"""mail-ingest against real Dovecot, NATS and PostgreSQL: each mail published once, then recorded."""

from __future__ import annotations

import asyncio
import uuid

from mailbox_helpers import append, flags, intake, seen, watching
from prometheus_client import REGISTRY
from support import infra
from support.waiting import eventually

from contracts.subjects import TICKET_REQUESTED_V1
from mail_ingest.bootstrap import bootstrap
from plumbing.bus import Bus


def duplicates() -> float:
    value = REGISTRY.get_sample_value(
        "atende_messages_published_total", {"subject": TICKET_REQUESTED_V1, "duplicate": "true"}
    )
    return value or 0.0


async def test_mail_is_published_once_threaded_and_automatic_mail_only_recorded(
    mail: infra.Mail, bus: Bus, nats_url: str, postgres_url: str
) -> None:
    token = uuid.uuid4().hex[:12]
    folder = f"t{token}"
    ticket = str(uuid.uuid4())
    append(
        mail,
        folder,
        f"From: Maria <maria@example.com>\nSubject: Boleto\nMessage-ID: <new-{token}@example.com>\n\nSegunda via, por favor.\n",
    )
    append(
        mail,
        folder,
        f"From: maria@example.com\nSubject: Re: [#1042] Boleto\nMessage-ID: <re-{token}@example.com>\n"
        f"In-Reply-To: <abc-{token}@atende.local>\nReferences: <ticket-{ticket}@atende.local> <abc-{token}@atende.local>\n\n"
        "Obrigada!\n\nOn Mon, Nov 23, 2026 at 9:00 AM Suporte <suporte@atende.local> wrote:\n> Segue.\n",
    )
    append(
        mail,
        folder,
        f"From: maria@example.com\nSubject: Ausente\nAuto-Submitted: auto-replied\nMessage-ID: <auto-{token}@example.com>\n"
        f"In-Reply-To: <ticket-{ticket}@atende.local>\n\nEstou de férias.\n",
    )
    settings = watching(mail, folder, nats_url, postgres_url, poll_s=0.2)
    async with bootstrap(settings):
        await eventually(lambda: len(seen(postgres_url)) == 3, what="three mails recorded")
    published = await intake(bus, token)
    assert [subject for subject, _ in published] == [
        "atende.tickets.intake.requested.v1",
        "atende.tickets.intake.reply-received.v1",
    ]
    (_, request), (_, reply) = published
    assert request.data["request_id"] == f"email:<new-{token}@example.com>"
    assert request.message_id == f"mail:<new-{token}@example.com>"
    assert (request.data["customer_email"], request.data["subject"]) == ("maria@example.com", "Boleto")
    assert (reply.data["ticket_id"], reply.data["threaded_by"]) == (ticket, "references")
    assert reply.data["body"] == "Obrigada!"
    assert seen(postgres_url)[f"<auto-{token}@example.com>"] == ("ignored", "auto_submitted")
    assert all({b"\\Seen", b"$AtendeProcessed"} <= found for found in flags(mail, folder))

    # The same service restarted: nothing is fetched again, so nothing is published again.
    before = duplicates()
    async with bootstrap(settings):
        append(
            mail,
            folder,
            f"From: joao@example.com\nSubject: Outro\nMessage-ID: <later-{token}@example.com>\n\nOi\n",
        )
        await eventually(lambda: len(seen(postgres_url)) == 4, what="the later mail recorded")
        await asyncio.sleep(0.6)  # a few more polls
    assert len(await intake(bus, token)) == 3
    assert duplicates() == before, "the first mail was not even republished"


async def test_idle_brings_a_new_mail_in_long_before_the_next_poll(
    mail: infra.Mail, bus: Bus, nats_url: str, postgres_url: str
) -> None:
    token = uuid.uuid4().hex[:12]
    folder = f"t{token}"
    append(
        mail, folder, f"From: ana@example.com\nSubject: Primeira\nMessage-ID: <a-{token}@example.com>\n\nOi\n"
    )
    # A poll would come only after the test's own time limit: IDLE must bring the mail in.
    settings = watching(mail, folder, nats_url, postgres_url, poll_s=120)
    async with bootstrap(settings):
        await eventually(lambda: len(seen(postgres_url)) == 1, what="the mail already there")
        await asyncio.sleep(0.5)  # the poller is now waiting in IDLE
        append(
            mail,
            folder,
            f"From: ana@example.com\nSubject: Segunda\nMessage-ID: <b-{token}@example.com>\n\nOi\n",
        )
        await eventually(lambda: len(seen(postgres_url)) == 2, what="the new mail, woken by IDLE", timeout=20)
    assert len(await intake(bus, token)) == 2

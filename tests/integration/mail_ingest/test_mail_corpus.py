"""The malformed-mail corpus on real Dovecot, NATS, PostgreSQL and the files service: nothing stuck or lost."""

from __future__ import annotations

import re
import uuid

import psycopg
from imapclient import IMAPClient
from mailbox_helpers import FILES_TOKEN, append, files_service, flags, intake, watching
from support import infra
from support.mail_corpus import corpus
from support.waiting import eventually

from devstack.procs import free_port
from mail_ingest.bootstrap import bootstrap
from mail_ingest.config import Settings
from mail_ingest.triage import stable_id
from plumbing.bus import Bus

CAP = Settings.model_fields["max_mail_bytes"].default  # the size limit as deployed (25 MiB)
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]")


def recorded(postgres_url: str) -> dict[int, tuple[str, str, str | None]]:
    """seen_mail by UID: (Message-ID, outcome, reason)."""
    with psycopg.connect(postgres_url) as conn:
        rows = conn.execute("SELECT uid, message_id, outcome, reason FROM seen_mail").fetchall()
    return {uid: (message_id, outcome, reason) for uid, message_id, outcome, reason in rows}


def uids(mail: infra.Mail, folder: str) -> list[int]:
    with IMAPClient(mail.imap_host, port=mail.imap_port, ssl=False, timeout=10) as client:
        client.login(mail.imap_user, mail.imap_password)
        client.select_folder(folder, readonly=True)
        return sorted(client.search(["ALL"]))


async def test_every_corpus_mail_and_the_mail_after_it_ends_as_a_ticket_a_reply_or_held(
    mail: infra.Mail, bus: Bus, nats_url: str, postgres_url: str, s3: infra.S3
) -> None:
    token = uuid.uuid4().hex[:12]
    folder = f"c{token}"
    ticket = str(uuid.uuid4())
    mails = corpus(token, ticket, CAP)
    for hostile in mails:
        append(mail, folder, hostile.raw)
    normal = [f"normal{n}" for n in range(3)]
    for name in normal:  # behind the corpus: a stuck queue would never reach them
        append(
            mail,
            folder,
            f"From: {name}-{token}@example.com\nSubject: {name}\nMessage-ID: <{name}-{token}@x>\n\nOi\n",
        )
    expected = [(m.name, m.expected, m.reason) for m in mails] + [
        (name, "requested", None) for name in normal
    ]
    in_imap = uids(mail, folder)
    assert len(in_imap) == len(expected), "Dovecot took every mail"

    port = free_port()
    settings = watching(
        mail,
        folder,
        nats_url,
        postgres_url,
        0.2,
        files_url=f"http://127.0.0.1:{port}",
        files_token=FILES_TOKEN,
    )
    failed_rounds: list[str] = []
    async with files_service(nats_url, postgres_url, s3, port), bootstrap(settings) as runtime:

        async def all_recorded() -> bool:
            poller = (await runtime.health.report())[1]["checks"]["poller"]
            if poller != "ok":
                failed_rounds.append(poller)  # a round that raised: the mail in hand would be retried forever
            return len(recorded(postgres_url)) == len(expected)

        # The deadline is the time bound: no mail may take the poller into a pathological parse.
        await eventually(all_recorded, timeout=240, what="every corpus mail recorded")
    assert failed_rounds == []

    found = recorded(postgres_url)
    verdicts = [
        (name, found[uid][1], found[uid][2]) for uid, (name, _, _) in zip(in_imap, expected, strict=True)
    ]
    assert [(name, outcome) for name, outcome, _ in verdicts] == [(name, want) for name, want, _ in expected]
    for (name, _, reason), (_, _, prefix) in zip(verdicts, expected, strict=True):
        assert (reason or "").startswith(prefix or ""), (name, reason)
    assert all({b"\\Seen", b"$AtendeProcessed"} <= marks for marks in flags(mail, folder))

    # Exactly one request or reply on NATS per mail recorded as such; nothing for the rest.
    published = [envelope for _, envelope in await intake(bus, token)]
    ids = sorted(envelope.data["request_id"] for envelope in published)
    assert ids == sorted(
        stable_id("email:", message_id)
        for message_id, outcome, _ in found.values()
        if outcome in ("requested", "replied")
    )
    replies = [envelope.data.get("ticket_id") for envelope in published if "ticket_id" in envelope.data]
    assert replies == [ticket] * [want for _, want, _ in expected].count("replied")
    for envelope in published:
        for field in ("subject", "customer_name", "customer_email", "source_ref"):
            assert not _UNSAFE.search(envelope.data.get(field) or ""), (field, envelope.data[field])
        for refused in envelope.data.get("refused_attachments", []):
            assert not _UNSAFE.search(refused["filename"]), refused

"""Email attachments on real servers: each goes through the files service like an upload, none is lost."""

from __future__ import annotations

import uuid
from email.message import EmailMessage

from mailbox_helpers import FILES_TOKEN, append, files_service, intake, seen, watching
from support import infra
from support.accounts import sql
from support.samples import sample
from support.waiting import eventually

from contracts.subjects import TICKET_REQUESTED_V1
from contracts.tickets import TicketRequestedV1, ticket_id_for
from devstack.procs import free_port
from mail_ingest.bootstrap import bootstrap
from plumbing.bus import Bus


def mail_with_files(token: str) -> bytes:
    message = EmailMessage()
    message["From"] = "Rita <rita@example.com>"
    message["To"] = infra.SUPPORT_ADDRESS
    message["Subject"] = f"Nota fiscal {token}"
    message["Message-ID"] = f"<files-{token}@example.com>"
    message.set_content("Seguem a nota e o print do erro.")
    message.add_attachment(sample("pdf"), maintype="application", subtype="pdf", filename="nota.pdf")
    message.add_attachment(sample("png"), maintype="image", subtype="png", filename="relatório de erro.png")
    message.add_attachment(
        b"MZ\x90\x00" * 64, maintype="application", subtype="octet-stream", filename="nota.exe"
    )
    return message.as_bytes()


async def test_attachments_are_stored_or_refused_by_name_and_wait_for_the_files_service(
    mail: infra.Mail, bus: Bus, nats_url: str, postgres_url: str, s3: infra.S3
) -> None:
    token = uuid.uuid4().hex[:12]
    folder = f"f{token}"
    append(mail, folder, mail_with_files(token))
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
    async with bootstrap(settings) as runtime:
        # The files service is not up yet: the round fails, and the mail waits unrecorded and unpublished
        # rather than going on without its files.
        async def poller_failing() -> bool:
            return (await runtime.health.report())[1]["checks"]["poller"] == "failing"

        await eventually(poller_failing, what="a round that failed for want of the files service")
        assert sql(postgres_url, "SELECT count(*) FROM seen_mail") == [(0,)]
        assert await intake(bus, token) == []
        async with files_service(nats_url, postgres_url, s3, port):
            await eventually(lambda: len(seen(postgres_url)) == 1, timeout=30, what="the mail handled")

    [(subject, envelope)] = await intake(bus, token)
    assert subject == TICKET_REQUESTED_V1
    request = TicketRequestedV1.model_validate(envelope.data)
    assert len(request.attachment_ids) == 2
    assert [(r.filename, r.reason_code) for r in request.refused_attachments] == [
        ("nota.exe", "extension_not_allowed")
    ]
    stored = sql(
        postgres_url,
        "SELECT filename, content_type, owner_id, uploaded_by FROM attachments WHERE attachment_id = ANY(%s)"
        " ORDER BY filename",
        request.attachment_ids,
    )
    owner = ticket_id_for(request.request_id)
    assert stored == [
        ("nota.pdf", "application/pdf", owner, "rita@example.com"),
        ("relatório de erro.png", "image/png", owner, "rita@example.com"),
    ]

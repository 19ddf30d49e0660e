"""Helpers of the mail-ingest tests: the session's support mailbox, the intake stream and seen_mail."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg
from imapclient import IMAPClient
from support import infra

from contracts import Envelope
from contracts.subjects import TICKETS_INTAKE
from files.bootstrap import bootstrap as files_bootstrap
from files.config import Settings as FilesSettings
from mail_ingest.config import Settings
from plumbing.bus import Bus

FILES_TOKEN = "files-token"  # the files service's private port, as the tests wire it


def append(mail: infra.Mail, folder: str, message: str | bytes) -> None:
    raw = message if isinstance(message, bytes) else message.replace("\n", "\r\n").encode()
    with IMAPClient(mail.imap_host, port=mail.imap_port, ssl=False, timeout=10) as client:
        client.login(mail.imap_user, mail.imap_password)
        if not client.folder_exists(folder):
            client.create_folder(folder)
        client.append(folder, raw)


def flags(mail: infra.Mail, folder: str) -> list[set[bytes]]:
    with IMAPClient(mail.imap_host, port=mail.imap_port, ssl=False, timeout=10) as client:
        client.login(mail.imap_user, mail.imap_password)
        client.select_folder(folder, readonly=True)
        return [set(found) for found in client.get_flags(client.search(["ALL"])).values()]


async def intake(bus: Bus, token: str) -> list[tuple[str, Envelope]]:
    info = await bus.js.stream_info(TICKETS_INTAKE.name)
    found = []
    for seq in range(info.state.first_seq, info.state.last_seq + 1) if info.state.messages else ():
        raw = await bus.js.get_msg(TICKETS_INTAKE.name, seq)
        if raw.data is not None and token.encode() in raw.data:
            found.append((raw.subject, Envelope.from_bytes(raw.data)))
    return found


def seen(postgres_url: str) -> dict[str, tuple[str, str | None]]:
    with psycopg.connect(postgres_url) as conn:
        rows = conn.execute("SELECT message_id, outcome, reason FROM seen_mail").fetchall()
    return {message_id: (outcome, reason) for message_id, outcome, reason in rows}


def watching(
    mail: infra.Mail, folder: str, nats_url: str, postgres_url: str, poll_s: float, **more: object
) -> Settings:
    """mail-ingest's settings for watching ``folder`` of the session's support mailbox."""
    return Settings.model_validate(
        {
            "nats_url": nats_url,
            "postgres_url": postgres_url,
            "ops_port": None,
            "imap_host": mail.imap_host,
            "imap_port": mail.imap_port,
            "imap_user": mail.imap_user,
            "imap_password": mail.imap_password,
            "imap_mailbox": folder,
            "poll_s": poll_s,
            **more,
        }
    )


@asynccontextmanager
async def files_service(nats_url: str, postgres_url: str, s3: infra.S3, port: int) -> AsyncIterator[None]:
    """The files service in-process, its private port on ``port`` (token FILES_TOKEN), a bucket of its own."""
    settings = FilesSettings(
        nats_url=nats_url,
        postgres_url=postgres_url,
        ops_port=None,
        internal_port=port,
        internal_token=FILES_TOKEN,
        s3_endpoint=s3.endpoint,
        s3_access_key=s3.access_key,
        s3_secret_key=s3.secret_key,
        s3_bucket=f"mail-{secrets.token_hex(5)}",
    )
    async with files_bootstrap(settings):
        yield

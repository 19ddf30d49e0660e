"""Composition root of the mail-ingest service: wires NATS, PostgreSQL, IMAP, the poller, admin and health."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from contracts.subjects import DEADLETTER, TICKETS_INTAKE
from mail_ingest import VERSION
from mail_ingest.adapters import imap
from mail_ingest.adapters.files import Files
from mail_ingest.adapters.seen import SeenMail
from mail_ingest.config import Settings
from mail_ingest.entrypoints.admin import MailAdmin
from mail_ingest.entrypoints.poller import Poller
from mail_ingest.intake import Intake
from plumbing.leadership import Leadership
from plumbing.logging import get_logger
from plumbing.runtime import Runtime, open_runtime

log = get_logger(__name__)


@asynccontextmanager
async def bootstrap(settings: Settings) -> AsyncIterator[Runtime]:
    """Open every dependency of the service; everything closes in reverse order on exit."""
    async with open_runtime(
        "mail-ingest",
        settings,
        version=VERSION,
        description="Reads the support mailbox and publishes ticket requests and replies.",
        streams=(TICKETS_INTAKE, DEADLETTER),
    ) as runtime:
        pool = await runtime.open_postgres(settings)
        seen = SeenMail(pool)
        await seen.ensure_schema()
        runtime.health.add("imap", partial(imap.reachable, settings), every_s=15)
        try:
            status = await imap.status(settings)
            log.info(
                "imap.mailbox", mailbox=settings.imap_mailbox, messages=status.messages, idle=status.idle
            )
        except Exception as exc:
            # Not fatal: the mailbox may come up later; readiness reports it meanwhile.
            log.warning("imap.unreachable", error=repr(exc))
        files = Files(settings.files_url, settings.files_token.get_secret_value())
        runtime.resources.push_async_callback(files.close)
        intake = Intake(
            runtime.bus,
            seen,
            per_sender_hour=settings.mails_per_sender_hour,
            max_bytes=settings.max_mail_bytes,
            files=files,
            open_mailbox=partial(imap.Mailbox, settings),
        )
        await MailAdmin(seen, intake).register(runtime.bus)
        poller = Poller(intake, imap.Mailbox(settings), poller_lock(settings), settings.poll_s)
        await poller.start()
        runtime.on_stop(poller.stop)
        runtime.health.add("poller", lambda: poller.healthy)
        yield runtime


def poller_lock(settings: Settings) -> Leadership:
    """One lock per watched mailbox: replicas watching the same one take turns, others do not wait."""
    mailbox = f"{settings.imap_user}@{settings.imap_host}:{settings.imap_port}/{settings.imap_mailbox}"
    return Leadership(settings.postgres_url, f"mail-ingest:{mailbox}")

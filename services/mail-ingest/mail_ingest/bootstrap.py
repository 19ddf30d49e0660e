"""Composition root of the mail-ingest service: wires NATS, PostgreSQL, IMAP, the poller and health."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from contracts.subjects import DEADLETTER, TICKETS_INTAKE
from mail_ingest import VERSION
from mail_ingest.adapters import imap
from mail_ingest.adapters.seen import SeenMail
from mail_ingest.config import Settings
from mail_ingest.entrypoints.poller import Poller
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
        poller = Poller(runtime.bus, seen, imap.Mailbox(settings), settings.poll_s)
        await poller.start()
        runtime.on_stop(poller.stop)
        yield runtime

"""Composition root of the mail-ingest service: wires NATS, PostgreSQL, IMAP and health together."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from contracts.subjects import DEADLETTER, TICKETS_INTAKE
from mail_ingest import VERSION
from mail_ingest.adapters import imap
from mail_ingest.config import Settings
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
        await runtime.open_postgres(settings)
        runtime.health.add("imap", partial(imap.reachable, settings), every_s=15)
        try:
            status = await imap.status(settings)
            log.info(
                "imap.mailbox", mailbox=settings.imap_mailbox, messages=status.messages, idle=status.idle
            )
        except Exception as exc:
            # Not fatal: the mailbox may come up later; readiness reports it meanwhile.
            log.warning("imap.unreachable", error=repr(exc))
        yield runtime

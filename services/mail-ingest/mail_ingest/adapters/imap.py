"""The support mailbox over IMAP (imapclient is synchronous: callers use a thread)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from imapclient import IMAPClient

from mail_ingest.config import Settings


@dataclass(frozen=True)
class MailboxStatus:
    """What the support mailbox looks like right now."""

    uidvalidity: int
    messages: int
    unseen: int
    idle: bool


def mailbox_status(settings: Settings, timeout: float = 5.0) -> MailboxStatus:
    """Log in, read the mailbox status and log out; raises on any IMAP or network failure."""
    with IMAPClient(
        settings.imap_host, port=settings.imap_port, ssl=settings.imap_ssl, timeout=timeout
    ) as client:
        client.login(settings.imap_user, settings.imap_password.get_secret_value())
        status = client.folder_status(settings.imap_mailbox, [b"UIDVALIDITY", b"MESSAGES", b"UNSEEN"])
        idle = b"IDLE" in client.capabilities()
        client.logout()
    return MailboxStatus(int(status[b"UIDVALIDITY"]), int(status[b"MESSAGES"]), int(status[b"UNSEEN"]), idle)


async def status(settings: Settings) -> MailboxStatus:
    """``mailbox_status`` without blocking the event loop."""
    return await asyncio.to_thread(mailbox_status, settings)


async def reachable(settings: Settings) -> bool:
    """Readiness: the mailbox answers a login and a STATUS."""
    await status(settings)
    return True

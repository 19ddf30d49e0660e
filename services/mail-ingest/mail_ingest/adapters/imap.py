"""The support mailbox over IMAP (imapclient is synchronous: callers use a thread)."""

from __future__ import annotations

import asyncio
import select
import socket
import time
from collections.abc import Callable
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


_SLICE_S = 0.5  # how soon a wait notices that the service is stopping
PROCESSED = b"$AtendeProcessed"  # our keyword: an operator sees in any client what was handled


class Mailbox:
    """One logged-in IMAP session on the support mailbox (synchronous: call it from a thread)."""

    def __init__(self, settings: Settings, timeout: float = 30.0) -> None:
        self.settings = settings
        self.timeout = timeout
        self.client: IMAPClient | None = None

    def select(self) -> int:
        """Log in if needed, (re)select the mailbox and return its UIDVALIDITY."""
        if self.client is None:
            client = IMAPClient(
                self.settings.imap_host,
                port=self.settings.imap_port,
                ssl=self.settings.imap_ssl,
                timeout=self.timeout,
            )
            client.login(self.settings.imap_user, self.settings.imap_password.get_secret_value())
            self.client = client
        selected = self.client.select_folder(self.settings.imap_mailbox)
        return int(selected[b"UIDVALIDITY"])

    def uids_after(self, last_uid: int) -> list[int]:
        """UIDs above ``last_uid``, ascending (``N:*`` also answers the last UID when none is above)."""
        assert self.client is not None
        found = self.client.search(["UID", f"{last_uid + 1}:*"])
        return sorted(uid for uid in found if uid > last_uid)

    def sizes(self, uids: list[int]) -> dict[int, int]:
        """Each message's size as the server reports it (RFC822.SIZE): nothing of the body is read."""
        assert self.client is not None
        answer = self.client.fetch(uids, [b"RFC822.SIZE"])
        return {uid: int(data[b"RFC822.SIZE"]) for uid, data in answer.items() if b"RFC822.SIZE" in data}

    def headers(self, uids: list[int]) -> dict[int, bytes]:
        """Each message's header block only (for what an admin sees of a mail too large to fetch)."""
        assert self.client is not None
        answer = self.client.fetch(uids, [b"BODY.PEEK[HEADER]"])
        return {uid: bytes(data[b"BODY[HEADER]"]) for uid, data in answer.items() if b"BODY[HEADER]" in data}

    def fetch(self, uids: list[int]) -> dict[int, bytes]:
        """The raw bytes of each message, without setting \\Seen (BODY.PEEK)."""
        assert self.client is not None
        answer = self.client.fetch(uids, [b"BODY.PEEK[]"])
        return {uid: bytes(data[b"BODY[]"]) for uid, data in answer.items() if b"BODY[]" in data}

    def wait_for_news(self, timeout: float, stopping: Callable[[], bool] = lambda: False) -> bool:
        """Wait up to ``timeout`` seconds for new mail; True if some came.

        In IDLE where the server offers it (a new message ends the wait at once), else a plain
        pause (the caller polls again). Checked in short slices, so ``stopping`` ends it quickly.
        """
        deadline = time.monotonic() + timeout
        if self.client is None or b"IDLE" not in self.client.capabilities():
            while not stopping() and (left := deadline - time.monotonic()) > 0:
                time.sleep(min(left, _SLICE_S))
            return False
        self.client.idle()
        hung_up = False
        try:
            while not stopping() and (left := deadline - time.monotonic()) > 0:
                responses = self.client.idle_check(timeout=min(left, _SLICE_S))
                if any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses):
                    return True
                # imapclient's idle_check swallows EOF and answers "nothing new": without this look a
                # restarted server would go unnoticed until the end of the wait (poll_s).
                if not responses and (hung_up := _hung_up(self.client.socket())):
                    raise ConnectionError("the IMAP server closed the connection")
            return False
        finally:
            if not hung_up:
                self.client.idle_done()

    def mark_processed(self, uid: int) -> None:
        """Flag a handled message \\Seen and $AtendeProcessed."""
        assert self.client is not None
        self.client.add_flags([uid], [b"\\Seen", PROCESSED])

    def close(self) -> None:
        """Log out; a broken connection is simply dropped."""
        client, self.client = self.client, None
        if client is not None:
            try:
                client.logout()
            except Exception:
                client.shutdown()


def _hung_up(sock: socket.socket) -> bool:
    """Whether the peer closed the connection: readable, and a peek at the TCP stream finds its end.

    The peek goes below TLS (``socket.socket.recv``) and only after ``select`` said it will not wait.
    """
    readable, _, _ = select.select([sock], [], [], 0)
    if not readable:
        return False
    try:
        return socket.socket.recv(sock, 1, socket.MSG_PEEK) == b""
    except (BlockingIOError, TimeoutError):
        return False
    except OSError:
        return True  # reset by the peer

"""The outgoing mail server, through aiosmtplib."""

from __future__ import annotations

import asyncio
import contextlib
from email.message import EmailMessage

import aiosmtplib
from prometheus_client import Counter

from notifier.config import Settings
from plumbing.errors import Unavailable

# Failures of the connection (refused, dropped, timed out), as opposed to the server refusing a mail.
_AWAY = (aiosmtplib.SMTPConnectError, aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError, OSError)
MAILS = Counter(
    "atende_emails_total", "Mails handed to the SMTP server, by kind and outcome.", ["kind", "outcome"]
)


async def reachable(settings: Settings) -> bool:
    """Readiness: the SMTP server greets us, answers NOOP and (if configured) accepts our login."""
    client = aiosmtplib.SMTP(
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        timeout=5,
        start_tls=settings.smtp_starttls,
    )
    async with client:
        if settings.smtp_user:
            await client.login(settings.smtp_user, settings.smtp_password.get_secret_value())
        await client.noop()
    return True


async def send(settings: Settings, message: EmailMessage) -> None:
    """Hand one message to the SMTP server; any refusal or timeout raises (the caller retries).

    A server that cannot be reached raises ``Unavailable``: the consumer then holds the mail until it is back.
    """
    try:
        await _send_once(settings, message)
    except _AWAY as exc:
        raise Unavailable("smtp_unavailable", cause=repr(exc)) from exc


async def _send_once(settings: Settings, message: EmailMessage) -> None:
    await aiosmtplib.send(
        message,
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_user or None,
        password=settings.smtp_password.get_secret_value() if settings.smtp_user else None,
        start_tls=settings.smtp_starttls,
        timeout=settings.smtp_timeout_s,
    )


class Connection:
    """One SMTP session kept open across mails (no connect, greeting and login per mail).

    A session the server closed, or that broke, is opened again once for the same mail; a refusal
    of the mail itself (a bad recipient, a full mailbox) raises at once, for the caller to retry.
    """

    def __init__(self, settings: Settings, kind: str = "mail") -> None:
        self.settings = settings
        self.kind = kind  # what it carries (tickets, accounts, chat): the metrics' label
        self._client: aiosmtplib.SMTP | None = None
        self._lock = asyncio.Lock()

    async def __call__(self, settings: Settings, message: EmailMessage) -> None:
        """Send ``message`` (the ``Send`` signature of the consumers)."""
        async with self._lock:
            try:
                await self._send(message)
            except _AWAY as exc:
                MAILS.labels(self.kind, "failed").inc()
                # The server, not this mail: the consumer holds the mail until the server is back.
                raise Unavailable("smtp_unavailable", cause=repr(exc)) from exc
            except Exception:
                MAILS.labels(self.kind, "failed").inc()
                raise
            MAILS.labels(self.kind, "sent").inc()

    async def _send(self, message: EmailMessage) -> None:
        try:
            await (await self._session()).send_message(message)
        except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPConnectError, OSError):
            await self.close()
            await (await self._session()).send_message(message)

    async def close(self) -> None:
        """Say goodbye to the server, if a session is open."""
        client, self._client = self._client, None
        if client is not None and client.is_connected:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                await client.quit()

    async def _session(self) -> aiosmtplib.SMTP:
        if self._client is None or not self._client.is_connected:
            settings = self.settings
            client = aiosmtplib.SMTP(
                hostname=settings.smtp_host,
                port=settings.smtp_port,
                timeout=settings.smtp_timeout_s,
                start_tls=settings.smtp_starttls,
            )
            await client.connect()
            if settings.smtp_user:
                await client.login(settings.smtp_user, settings.smtp_password.get_secret_value())
            self._client = client
        return self._client

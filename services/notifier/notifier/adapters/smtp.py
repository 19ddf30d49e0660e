"""The outgoing mail server, through aiosmtplib."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib

from notifier.config import Settings


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
    """Hand one message to the SMTP server; any refusal or timeout raises (the caller retries)."""
    await aiosmtplib.send(
        message,
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_user or None,
        password=settings.smtp_password.get_secret_value() if settings.smtp_user else None,
        start_tls=settings.smtp_starttls,
        timeout=settings.smtp_timeout_s,
    )

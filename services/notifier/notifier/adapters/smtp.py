"""The outgoing mail server, through aiosmtplib."""

from __future__ import annotations

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

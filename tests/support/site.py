"""The whole of Atende in this process, for browser tests: gateway, tickets, chat, files, notifier, insights.

It runs on its own NATS server (fresh streams and durables, nothing left by other tests) and on the
session's PostgreSQL, S3, SMTP and IMAP servers.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, ExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chat.bootstrap import bootstrap as chat_bootstrap
from chat.config import Settings as ChatSettings
from devstack.nats import NatsServer
from devstack.procs import free_port
from files.bootstrap import bootstrap as files_bootstrap
from files.config import Settings as FilesSettings
from gateway.accounts import staff
from gateway.bootstrap import bootstrap as gateway_bootstrap
from gateway.config import Settings as GatewaySettings
from insights.bootstrap import bootstrap as insights_bootstrap
from insights.config import Settings as InsightsSettings
from notifier.bootstrap import bootstrap as notifier_bootstrap
from notifier.config import Settings as NotifierSettings
from support import infra
from support.accounts import PASSWORD
from support.mails import received, text_of
from support.waiting import eventually
from tickets.bootstrap import bootstrap as tickets_bootstrap
from tickets.config import Settings as TicketsSettings

_LINK = re.compile(r"(http://\S+#token=[\w-]+)")


@dataclass
class Site:
    """A running Atende: its URL, the accounts service (to create staff), the mail it sent, its NATS."""

    url: str
    accounts: Any
    mail: infra.Mail
    nats_url: str = ""
    secret: str = ""  # signs resume tokens; also the files service's internal token

    async def agent(self, email: str, name: str, *departments: str, kind: str = "agent") -> str:
        """Create an agent (or admin) with the tests' password; returns the account id."""
        created = await staff.create(self.accounts, email, name, kind, list(departments), PASSWORD)
        return created.principal.account_id

    async def mailed_link(self, address: str, subject: str) -> str:
        """The link in the mail with ``subject`` sent to ``address`` (waits for it)."""

        def texts() -> list[str]:
            return [text_of(m) for m in received(self.mail, address) if m["Subject"] == subject]

        await eventually(lambda: bool(texts()), what=f"the mail {subject!r} to {address}")
        found = _LINK.search(texts()[-1])
        assert found, texts()[-1]
        return found.group(1)

    def mails_to(self, address: str) -> list[str]:
        """Subjects of every mail sent to ``address``, oldest first."""
        return [str(m["Subject"]) for m in received(self.mail, address)]


@asynccontextmanager
async def running(
    root: Path, postgres_url: str, s3: infra.S3, mail: infra.Mail, **gateway: Any
) -> AsyncIterator[Site]:
    """Start every service Atende's pages use; stop them all on exit."""
    secret = secrets.token_hex(8)
    port, files_port = free_port(), free_port()
    url = f"http://127.0.0.1:{port}"
    with ExitStack() as servers:
        nats = NatsServer(port=free_port(), monitor_port=free_port(), store_dir=root / "nats")
        nats.start()
        servers.callback(nats.stop)
        common: dict[str, Any] = {"nats_url": nats.url, "postgres_url": postgres_url, "ops_port": None}
        async with AsyncExitStack() as services:
            for started in (
                tickets_bootstrap(TicketsSettings(**common)),
                chat_bootstrap(ChatSettings(**common)),
                files_bootstrap(
                    FilesSettings(
                        **common,
                        internal_port=files_port,
                        internal_token=secret,
                        s3_endpoint=s3.endpoint,
                        s3_access_key=s3.access_key,
                        s3_secret_key=s3.secret_key,
                        s3_bucket=f"web-{files_port}",
                    )
                ),
                notifier_bootstrap(
                    NotifierSettings(
                        **common, smtp_host=mail.smtp_host, smtp_port=mail.smtp_port, public_url=url
                    )
                ),
                insights_bootstrap(InsightsSettings(**common)),
            ):
                await services.enter_async_context(started)
            front = await services.enter_async_context(
                gateway_bootstrap(
                    GatewaySettings(
                        **common,
                        http_port=port,
                        public_url=url,
                        cookie_secure=False,
                        dev_mode=True,
                        chat_secret=secret,
                        files_url=f"http://127.0.0.1:{files_port}",
                        files_token=secret,
                        # One browser, one IP, many tickets and log-ins: the limits have their own tests.
                        **({"rate_limits": False} | gateway),
                    )
                )
            )
            yield Site(url, front.accounts, mail, nats.url, secret)

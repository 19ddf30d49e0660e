"""Every Atende service as a process, with an SMTP server of its own, a fresh IMAP folder and bucket,
the contract streams emptied, customers and agents with API tokens."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx
from imapclient import IMAPClient
from nats.js.errors import NotFoundError

from bench.context import BenchContext
from bench.processes import Running, services
from bench.scenarios.chat_sockets import _agent_tokens
from bench.scenarios.tickets_over_http import _customer_token
from contracts.subjects import DURABLES, STREAMS
from devstack.infra import external_endpoints
from devstack.procs import free_port
from devstack.smtp import DevSmtp
from plumbing.bus import Bus

# Caps that guard real customers against storms; a load test from a few accounts would hit them.
UNCAPPED = str(1_000_000)


@dataclass(frozen=True)
class Imap:
    """The support mailbox's server and the fresh folder mail-ingest polls."""

    host: str
    port: int
    user: str
    password: str
    folder: str

    def client(self) -> IMAPClient:
        """A logged-in (blocking) client: call it from a thread."""
        client = IMAPClient(self.host, self.port, ssl=False, timeout=30)
        client.login(self.user, self.password)
        return client


@dataclass(frozen=True)
class Stack:
    """What the flows drive and the checks read."""

    url: str
    running: Running
    bus: Bus
    imap: Imap
    maildir: Path
    customers: list[str]
    agents: list[str]


def _settings(
    ctx: BenchContext, http_port: int, smtp_port: int, folder: str, chat_cache: int
) -> dict[str, dict[str, str]]:
    """Each service's own settings, in start order (files first: the gateway and mail-ingest call it)."""
    endpoint, access, secret = ctx.endpoints.s3()
    imap = external_endpoints(os.environ)
    internal_port, token = free_port(), secrets.token_hex(12)
    files_url = {"FILES_URL": f"http://127.0.0.1:{internal_port}", "FILES_TOKEN": token}
    return {
        "files": {
            "INTERNAL_PORT": str(internal_port),
            "INTERNAL_TOKEN": token,
            "S3_ENDPOINT": endpoint,
            "S3_ACCESS_KEY": access,
            "S3_SECRET_KEY": secret,
            "S3_BUCKET": ctx.unique("bench-soak").replace("_", "-").lower(),
        },
        "tickets": {},
        "chat": {"CACHE_SIZE": str(chat_cache)},
        "notifier": {
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(smtp_port),
            "MAILS_PER_ADDRESS_HOUR": UNCAPPED,
            "PUBLIC_URL": f"http://127.0.0.1:{http_port}",
        },
        "insights": {},
        "mail-ingest": {
            "IMAP_HOST": imap.require("imap_host"),
            "IMAP_PORT": imap.require("imap_port"),
            "IMAP_USER": imap.require("imap_user"),
            "IMAP_PASSWORD": imap.require("imap_password"),
            "IMAP_MAILBOX": folder,
            **files_url,
        },
        "gateway": {
            "HTTP_PORT": str(http_port),
            "PUBLIC_URL": f"http://127.0.0.1:{http_port}",
            "DEV_MODE": "true",
            "COOKIE_SECURE": "false",
            "CHAT_SECRET": "bench-soak-secret",
            "CHAT_MESSAGES_BURST": "100",
            "CHAT_MESSAGES_PER_S": "100",
            "RATE_LIMITS": "false",  # a few customers, many tickets and chats, one IP
            **files_url,
        },
    }


async def reset_streams(bus: Bus) -> None:
    """Empty the contract streams and delete their durables: names are fixed by contracts, so facts
    of earlier scenarios would otherwise be consumed (and mailed) here, and skew the counts."""
    await bus.ensure_streams(STREAMS)
    for stream in STREAMS:
        await bus.js.purge_stream(stream.name)
    for durable in DURABLES:
        with suppress(NotFoundError):
            await bus.js.delete_consumer(durable.stream.name, durable.name)


@asynccontextmanager
async def stack(ctx: BenchContext, customers: int, agents: int, chat_cache: int) -> AsyncIterator[Stack]:
    """Start it all, sign the accounts up; on exit stop everything and remove what the run made.

    ``chat_cache``: conversations chat keeps in memory (its LRU; 5,000 when deployed)."""
    imap_ends = external_endpoints(os.environ)
    imap = Imap(
        imap_ends.require("imap_host"),
        int(imap_ends.require("imap_port")),
        imap_ends.require("imap_user"),
        imap_ends.require("imap_password"),
        ctx.unique("soak"),
    )
    root = Path(tempfile.mkdtemp(prefix="atende-soak-"))
    smtp = DevSmtp(free_port(), root / "mail", log_file=root / "smtp.log")
    http_port = free_port()
    bus = await Bus.connect(ctx.endpoints.nats_url, "bench-soak", connect_timeout=5)
    try:
        await asyncio.to_thread(_create_folder, imap)
        await asyncio.to_thread(smtp.start)
        await reset_streams(bus)
        async with services(ctx, _settings(ctx, http_port, smtp.port, imap.folder, chat_cache)) as running:
            url = f"http://127.0.0.1:{http_port}"
            async with httpx.AsyncClient(base_url=url, timeout=30) as setup:
                tokens = [
                    await _customer_token(setup, f"cliente{n}@soak.example.com") for n in range(customers)
                ]
            agent_tokens = await _agent_tokens(url, running.databases["gateway"], agents)
            yield Stack(url, running, bus, imap, root / "mail" / "outbox", tokens, agent_tokens)
    finally:
        with suppress(Exception):  # cleanup must not hide the run's own error
            await reset_streams(bus)
        await bus.close()
        await asyncio.to_thread(smtp.stop)
        await asyncio.to_thread(shutil.rmtree, root, True)  # thousands of mails by the end
        with suppress(Exception):
            await asyncio.to_thread(_delete_folder, imap)


def _create_folder(imap: Imap) -> None:
    with imap.client() as client:
        client.create_folder(imap.folder)


def _delete_folder(imap: Imap) -> None:
    with imap.client() as client:
        if client.folder_exists(imap.folder):
            client.delete_folder(imap.folder)


def ticket_mails(maildir: Path) -> tuple[int, int]:
    """(receipts, follow-ups) about tickets the SMTP server stored: a receipt's Message-ID is the
    ticket's thread root ``<ticket-…>``, every later mail of the ticket answers it (In-Reply-To)."""
    receipts = follow_ups = 0
    for path in (maildir / "new").iterdir():
        with path.open("rb") as mail:
            head = mail.read(16384).split(b"\n\n", 1)[0].lower()
        if b"\nmessage-id: <ticket-" in head:
            receipts += 1
        elif b"\nin-reply-to: <ticket-" in head:
            follow_ups += 1
    return receipts, follow_ups

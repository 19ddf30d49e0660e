"""Dovecot stopped and started under a running mail-ingest: it waits, backs off, resumes IDLE, loses nothing."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any

import pytest
from imapclient import IMAPClient
from mailbox_helpers import intake, seen
from structlog.testing import capture_logs
from support.waiting import eventually

from devstack.imap import Dovecot
from devstack.perms import give_to_mail_user
from devstack.procs import free_port
from mail_ingest.bootstrap import bootstrap
from mail_ingest.config import Settings
from plumbing.bus import Bus

PASSWORD = secrets.token_hex(8)


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    """A Dovecot of this test's own, so it can be stopped and started on the same port and maildir."""
    root = Path(tempfile.mkdtemp(prefix="atende-imap-restart-"))
    server = Dovecot(
        root / "dovecot", port=free_port(), users={"support": PASSWORD}, maildir_root=root / "mail"
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def mail(token: str, name: str) -> str:
    return f"From: {name}-{token}@example.com\nSubject: {name} {token}\nMessage-ID: <{name}-{token}@example.com>\n\nOi\n"


def append(server: Dovecot, message: str) -> None:
    with IMAPClient("127.0.0.1", port=server.port, ssl=False, timeout=10) as client:
        client.login("support", PASSWORD)
        client.append("INBOX", message.replace("\n", "\r\n").encode())


def deliver(server: Dovecot, message: str) -> None:
    """Put a mail straight into the maildir, as the MTA does while the IMAP server is down."""
    inbox = server.maildir_root / "support"
    name = f"{time.time_ns()}.{uuid.uuid4().hex}.atende"
    (inbox / "tmp" / name).write_text(message)
    give_to_mail_user(inbox / "tmp" / name)
    os.rename(inbox / "tmp" / name, inbox / "new" / name)


def settings(server: Dovecot, nats_url: str, postgres_url: str) -> Settings:
    # A long poll: once the server is back, only IDLE can bring a new mail in within the test's wait.
    return Settings.model_validate(
        {
            "nats_url": nats_url,
            "postgres_url": postgres_url,
            "ops_port": None,
            "imap_host": "127.0.0.1",
            "imap_port": server.port,
            "imap_user": "support",
            "imap_password": PASSWORD,
            "poll_s": 60,
        }
    )


async def test_mail_ingest_waits_out_a_dovecot_restart_and_requests_each_mail_exactly_once(
    dovecot: Dovecot, bus: Bus, nats_url: str, postgres_url: str
) -> None:
    token = uuid.uuid4().hex[:12]
    names: list[str] = []

    def send(name: str, how: str) -> None:
        names.append(name)
        if how == "imap":
            append(dovecot, mail(token, name))
        else:
            deliver(dovecot, mail(token, name))

    for n in range(3):
        send(f"before{n}", "imap")
    async with bootstrap(settings(dovecot, nats_url, postgres_url)) as runtime:

        async def poller() -> str:
            return str((await runtime.health.report())[1]["checks"]["poller"])

        await eventually(lambda: len(seen(postgres_url)) == 3, what="the mail already there")
        await asyncio.sleep(0.5)  # the poller now waits in IDLE
        with capture_logs() as logs:
            down = time.monotonic()
            await asyncio.to_thread(dovecot.stop)
            for n in range(3):
                send(f"during{n}", "maildir")

            async def failing() -> bool:
                return await poller() == "failing"

            def failed() -> list[MutableMapping[str, Any]]:
                return [
                    e for e in logs if e["event"] == "worker.failed" and e["worker"] == "mail-ingest-poller"
                ]

            await eventually(failing, timeout=30, what="readiness to report the poller failing")
            await eventually(lambda: len(failed()) >= 3, timeout=30, what="three failed rounds, backing off")
            outage = time.monotonic() - down
            failures = failed()
            await asyncio.to_thread(dovecot.start)
        # Each failure says what went wrong; the pauses double (0.5 s up to 10 s), so a few seconds
        # away cost a handful of attempts, not a busy loop.
        assert all(e["error"] for e in failures)
        assert [e["failures"] for e in failures] == list(range(1, len(failures) + 1))
        assert len(failures) <= 2 + outage, (len(failures), outage)
        assert len(seen(postgres_url)) == 3, "nothing recorded while the server was away"

        for n in range(2):
            send(f"after{n}", "imap")

        await eventually(lambda: len(seen(postgres_url)) == 8, timeout=60, what="every mail of the outage")

        async def recovered() -> bool:
            return await poller() == "ok"

        await eventually(recovered, timeout=30, what="the poller healthy again, in the same process")
        await asyncio.sleep(0.5)  # back in IDLE
        send("idle", "imap")
        await eventually(lambda: len(seen(postgres_url)) == 9, timeout=30, what="a new mail, woken by IDLE")

    recorded = seen(postgres_url)
    assert {recorded[f"<{name}-{token}@example.com>"] for name in names} == {("requested", None)}
    requests = sorted(envelope.data["request_id"] for _, envelope in await intake(bus, token))
    assert requests == sorted(f"email:<{name}-{token}@example.com>" for name in names)

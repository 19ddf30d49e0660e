"""Two mail-ingest pollers on one mailbox (real Dovecot, NATS, PostgreSQL): one polls, the other takes over."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import psycopg
import pytest
from mailbox_helpers import append, intake, seen, watching
from support import infra
from support.waiting import eventually

from contracts.subjects import DEADLETTER, TICKETS_INTAKE
from mail_ingest.adapters.imap import Mailbox
from mail_ingest.adapters.seen import SeenMail
from mail_ingest.bootstrap import poller_lock
from mail_ingest.config import Settings
from mail_ingest.entrypoints.poller import Poller
from mail_ingest.intake import Intake
from plumbing.bus import Bus
from plumbing.postgres import open_pool


class Watched(Mailbox):
    """The real mailbox session, noting which UIDs it downloaded."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.fetched: list[int] = []

    def fetch(self, uids: list[int]) -> dict[int, bytes]:
        self.fetched += uids
        return super().fetch(uids)


@pytest.fixture
async def seen_mail(postgres_url: str) -> AsyncIterator[SeenMail]:
    async with open_pool(postgres_url) as pool:
        table = SeenMail(pool)
        await table.ensure_schema()
        yield table


def poller(bus: Bus, table: SeenMail, settings: Settings) -> Poller:
    """A replica's poller, as bootstrap wires it."""
    intake = Intake(bus, table, per_sender_hour=100, max_bytes=settings.max_mail_bytes)
    return Poller(intake, Watched(settings), poller_lock(settings), settings.poll_s)


def fetched(replica: Poller) -> list[int]:
    assert isinstance(replica.mailbox, Watched)
    return replica.mailbox.fetched


async def test_only_the_lock_holder_polls_and_another_takes_over_when_its_session_dies(
    mail: infra.Mail, bus: Bus, nats_url: str, postgres_url: str, seen_mail: SeenMail
) -> None:
    token = uuid.uuid4().hex[:12]
    folder = f"t{token}"
    append(mail, folder, f"From: a@example.com\nSubject: um\nMessage-ID: <1-{token}@x>\n\nOi\n")
    settings = watching(mail, folder, nats_url, postgres_url, 0.2, max_mail_bytes=2048)
    await bus.ensure_streams([TICKETS_INTAKE, DEADLETTER])
    first, second = poller(bus, seen_mail, settings), poller(bus, seen_mail, settings)
    await first.start()
    try:
        await eventually(
            lambda: first.leading and len(seen(postgres_url)) == 1, what="the first replica polling"
        )
        await second.start()
        await eventually(lambda: second.lock.pid is not None, what="the second replica trying the lock")
        for n in range(2, 5):
            append(mail, folder, f"From: a@example.com\nSubject: n{n}\nMessage-ID: <{n}-{token}@x>\n\nOi\n")
        await eventually(lambda: len(seen(postgres_url)) == 4, what="every mail, once")
        assert (first.leading, second.leading) == (True, False)
        assert fetched(second) == [], "the standby never touched the mailbox"
        assert len(await intake(bus, token)) == 4

        # The first replica dies: its loop is gone and then its session (as when a pod is killed).
        await first.worker.stop()
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            holders = conn.execute(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND database ="
                " (SELECT oid FROM pg_database WHERE datname = current_database())"
            ).fetchall()
            assert holders == [(first.lock.pid,)], "the lock is the session's: a dead loop alone keeps it"
            conn.execute("SELECT pg_terminate_backend(%s)", (first.lock.pid,))
        await eventually(lambda: second.leading, what="the second replica taking over")
        append(mail, folder, f"From: a@example.com\nSubject: cinco\nMessage-ID: <5-{token}@x>\n\nOi\n")
        append(
            mail, folder, f"From: a@example.com\nSubject: big\nMessage-ID: <6-{token}@x>\n\n{'x' * 4000}\n"
        )
        await eventually(lambda: len(seen(postgres_url)) == 6, what="mail after the takeover")
        assert fetched(second) == [5], "the big mail was never downloaded"
        assert seen(postgres_url)[f"<6-{token}@x>"][0] == "quarantined"
        assert len(await intake(bus, token)) == 5
    finally:
        await second.stop()
        await first.stop()

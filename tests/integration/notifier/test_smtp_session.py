"""The notifier's SMTP session: kept open across mails, opened again when the server drops it."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from prometheus_client import REGISTRY

from devstack.procs import free_port
from notifier.adapters.smtp import Connection
from notifier.config import Settings
from plumbing.errors import Unavailable


class Recorder:
    """Remembers which client connection (peer address) delivered each mail."""

    def __init__(self) -> None:
        self.peers: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.peers.append(session.peer)
        return "250 OK"


def mails(outcome: str) -> float:
    return REGISTRY.get_sample_value("atende_emails_total", {"kind": "mail", "outcome": outcome}) or 0.0


def message(n: int) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "suporte@atende.local"
    mail["To"] = "maria@example.com"
    mail["Subject"] = f"[#{1000 + n}] teste"
    mail.set_content("olá")
    return mail


async def test_one_session_for_many_mails_and_a_new_one_after_the_server_restarts() -> None:
    port = free_port()
    recorder = Recorder()
    server = Controller(recorder, hostname="127.0.0.1", port=port)
    server.start()
    settings = Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_timeout_s=5)
    connection = Connection(settings)
    try:
        for n in range(3):
            await connection(settings, message(n))
        assert len(recorder.peers) == 3 and len(set(recorder.peers)) == 1, "one session, three mails"
        server.stop()
        server = Controller(recorder, hostname="127.0.0.1", port=port)
        server.start()
        await connection(settings, message(3))  # the old session is dead: a new one carries it
        assert len(recorder.peers) == 4 and recorder.peers[3] != recorder.peers[0]
        server.stop()
        sent, failed = mails("sent"), mails("failed")
        with pytest.raises(Unavailable):
            await connection(
                settings, message(4)
            )  # no server at all: the consumer holds the mail until it is back
        assert (mails("sent"), mails("failed")) == (sent, failed + 1), "operators see the failure"
        server = Controller(recorder, hostname="127.0.0.1", port=port)
        server.start()
    finally:
        await connection.close()
        server.stop()

"""The devstack servers are real and behave: NATS durability, PostgreSQL, S3 auth, SMTP into IMAP."""

from __future__ import annotations

import asyncio
import io
import os
import secrets
import shutil
import signal
import smtplib
import socket
import sys
import tempfile
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import psycopg
import pytest
from imapclient import IMAPClient
from imapclient.exceptions import LoginError
from minio import Minio
from minio.error import S3Error

from devstack.imap import Dovecot
from devstack.nats import NatsServer
from devstack.postgres import EmbeddedPostgres, database_url, ensure_database
from devstack.procs import ManagedProcess, StartupError, free_port, poll, port_open
from devstack.s3 import SeaweedS3
from devstack.smtp import DevSmtp

SUPPORT = "suporte@atende.local"


@pytest.fixture
def tmp_path() -> Iterator[Path]:
    """A private folder outside /tmp/pytest-of-root.

    PostgreSQL (user pgserver) and Dovecot (user nobody) must traverse the folder's parents, and every
    new pytest session resets /tmp/pytest-of-<user> to 0700, which would cut off servers of a session
    running concurrently.
    """
    path = Path(tempfile.mkdtemp(prefix="atende-devstack-test-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


async def _publish_then_read(url: str, first_run: bool) -> tuple[int, bool, bytes]:
    import nats

    client = await nats.connect(url)
    try:
        js = client.jetstream()
        if first_run:
            await js.add_stream(name="DEVSTACK", subjects=["devstack.>"])
            await js.publish("devstack.test", b"kept", headers={"Nats-Msg-Id": "m-1"})
        # The dedupe window must survive the restart too: the same Nats-Msg-Id is a duplicate.
        ack = await js.publish("devstack.test", b"kept", headers={"Nats-Msg-Id": "m-1"})
        info = await js.stream_info("DEVSTACK")
        stored = await js.get_msg("DEVSTACK", seq=1)
        return info.state.messages, ack.duplicate is True, stored.data or b""
    finally:
        await client.close()


def test_nats_stream_survives_restart_on_the_same_store(tmp_path: Path) -> None:
    server = NatsServer(port=free_port(), monitor_port=free_port(), store_dir=tmp_path / "nats")
    with server:
        assert server.url == f"nats://127.0.0.1:{server.port}"
        assert asyncio.run(_publish_then_read(server.url, first_run=True)) == (1, True, b"kept")
        server.stop()
        assert not port_open("127.0.0.1", server.port)
        server.start()
        assert asyncio.run(_publish_then_read(server.url, first_run=False)) == (1, True, b"kept")
    server.stop()  # idempotent
    assert not port_open("127.0.0.1", server.port)


def test_a_server_that_cannot_start_names_its_log(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = NatsServer(port=port, monitor_port=free_port(), store_dir=tmp_path / "nats")
        with pytest.raises(StartupError) as failure:
            server.start()
    assert str(server.log_file) in str(failure.value)
    server.stop()


def test_stop_kills_a_process_group_that_ignores_sigterm(tmp_path: Path) -> None:
    script = "import signal, subprocess, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    script += "subprocess.Popen(['sleep', '60']); print('up', flush=True); time.sleep(60)"
    log = tmp_path / "stubborn.log"
    proc = ManagedProcess("stubborn", [sys.executable, "-c", script], log)
    proc.start()
    proc.wait_until(lambda: "up" in log.read_text(), 10, "its first line")
    pgid = proc.pid
    assert pgid is not None
    assert proc.stop(timeout=0.5) == -signal.SIGKILL

    def group_gone() -> bool:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        return False

    assert poll(group_gone, 5), "a member of the process group survived"
    assert proc.stop() == -signal.SIGKILL  # idempotent


def test_terminate_then_stop_signals_once_so_a_service_can_drain(tmp_path: Path) -> None:
    # Our services take a second SIGTERM as "stop now, skip the drain": the launcher must send one.
    script = (
        "import signal, sys, time\n"
        "def note(*_):\n    print('TERM', flush=True)\n"
        "signal.signal(signal.SIGTERM, note)\nprint('up', flush=True)\n"
        "deadline = time.monotonic() + 1.0\nwhile time.monotonic() < deadline: time.sleep(0.05)\n"
    )
    log = tmp_path / "drainer.log"
    proc = ManagedProcess("drainer", [sys.executable, "-c", script], log)
    proc.start()
    proc.wait_until(lambda: "up" in log.read_text(), 10, "its first line")
    proc.terminate()
    proc.terminate()
    assert proc.stop(timeout=10) == 0
    assert log.read_text().count("TERM") == 1


def test_embedded_postgres_and_ensure_database_is_idempotent(tmp_path: Path) -> None:
    with EmbeddedPostgres(tmp_path / "pg") as server:
        first = ensure_database(server.url, "atende_probe")
        assert ensure_database(server.url, "atende_probe") == first
        with psycopg.connect(first, autocommit=True) as conn:
            assert conn.execute("SELECT current_database()").fetchone() == ("atende_probe",)
            conn.execute("CREATE TABLE kept (v int)")
            conn.execute("INSERT INTO kept VALUES (42)")
        server.stop()
        server.start()
        with psycopg.connect(ensure_database(server.url, "atende_probe")) as conn:
            assert conn.execute("SELECT v FROM kept").fetchone() == (42,)
    with pytest.raises(ValueError, match="invalid database name"):
        ensure_database("postgresql://postgres@127.0.0.1:1/x", "bad-name; DROP")


def test_ensure_database_on_the_sessions_server(postgres_admin_url: str) -> None:
    name = f"atende_devstack_{secrets.token_hex(4)}"
    try:
        url = ensure_database(postgres_admin_url, name)
        assert ensure_database(postgres_admin_url, name) == url, "idempotent"
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT current_database()").fetchone() == (name,)
    finally:
        with psycopg.connect(postgres_admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_database_urls_keep_everything_but_the_database() -> None:
    assert database_url("postgresql://postgres@127.0.0.1:5432/test", "atende_x") == (
        "postgresql://postgres@127.0.0.1:5432/atende_x"
    )
    socket_url = database_url("postgresql://postgres:@/postgres?host=/var/pg", "atende_x")
    assert "atende_x" in socket_url
    assert "host=/var/pg" in socket_url


def test_seaweed_s3_requires_keys_and_round_trips_an_object(tmp_path: Path) -> None:
    access, secret = "atende-test", secrets.token_hex(16)
    server = SeaweedS3(tmp_path / "s3", port=free_port(), access_key=access, secret_key=secret)
    with server:
        wrong = Minio(server.endpoint, access_key=access, secret_key="not-the-secret", secure=False)
        with pytest.raises(S3Error) as denied:
            wrong.list_buckets()
        assert denied.value.code in {"SignatureDoesNotMatch", "AccessDenied", "InvalidAccessKeyId"}

        client = Minio(server.endpoint, access_key=access, secret_key=secret, secure=False)
        client.make_bucket("atende-files")
        body = secrets.token_bytes(300_000)
        client.put_object("atende-files", "a/b.bin", io.BytesIO(body), len(body), content_type="image/png")
        response = client.get_object("atende-files", "a/b.bin")
        try:
            assert response.read() == body
        finally:
            response.close()
            response.release_conn()
    leftovers = list(Path("/tmp").glob(f"seaweedfs-*-{server.port}.sock"))
    assert leftovers == [], f"weed sockets left behind: {leftovers}"


def _send(smtp: DevSmtp, sender: str, to: str, subject: str) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message.set_content("Olá! Preciso de ajuda com o meu pedido.")
    with smtplib.SMTP(smtp.host, smtp.port, timeout=10) as client:
        client.send_message(message)


def _subjects(imap: Dovecot, user: str, password: str) -> list[str]:
    with IMAPClient("127.0.0.1", port=imap.port, ssl=False, timeout=10) as client:
        client.login(user, password)
        client.select_folder("INBOX", readonly=True)
        ids = client.search("ALL")
        fetched = client.fetch(ids, ["BODY.PEEK[HEADER.FIELDS (SUBJECT)]"]) if ids else {}
        headers = [data[b"BODY[HEADER.FIELDS (SUBJECT)]"].decode() for data in fetched.values()]
        return sorted(h.split(":", 1)[1].strip() for h in headers)


def test_mail_to_support_is_readable_over_imap_and_every_mail_lands_in_outbox(tmp_path: Path) -> None:
    maildirs = tmp_path / "mail"
    password = secrets.token_hex(8)
    users = {"support": password, "outbox": password}
    smtp = DevSmtp(port=free_port(), maildir_root=maildirs, support_address=SUPPORT)
    imap = Dovecot(tmp_path / "dovecot", port=free_port(), users=users, maildir_root=maildirs)
    with smtp, imap:
        _send(smtp, "cliente@example.com", SUPPORT, "Pedido 1")
        _send(smtp, SUPPORT, "cliente@example.com", "Re: Pedido 1")

        assert poll(lambda: _subjects(imap, "support", password) == ["Pedido 1"], 10), _subjects(
            imap, "support", password
        )
        assert poll(lambda: _subjects(imap, "outbox", password) == ["Pedido 1", "Re: Pedido 1"], 10)
        with IMAPClient("127.0.0.1", port=imap.port, ssl=False, timeout=10) as client:
            client.login("support", password)
            client.select_folder("INBOX")
            (uid,) = client.search("UNSEEN")
            raw = client.fetch([uid], ["RFC822"])[uid][b"RFC822"]
            assert raw.startswith(b"Return-Path: <cliente@example.com>\r\n")
            client.add_flags([uid], [b"atende-processed"])  # custom keywords must stick
            assert b"atende-processed" in client.get_flags([uid])[uid]
        with (
            IMAPClient("127.0.0.1", port=imap.port, ssl=False, timeout=10) as client,
            pytest.raises(LoginError),
        ):
            client.login("support", "wrong-password")
    assert not port_open("127.0.0.1", imap.port)
    assert not port_open("127.0.0.1", smtp.port)

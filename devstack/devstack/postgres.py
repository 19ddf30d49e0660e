"""An embedded PostgreSQL (pgserver wheel) and database creation on any PostgreSQL server."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import subprocess
import urllib.parse
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from devstack.pids import process_alive
from devstack.procs import Server, StartupError, log_tail

if TYPE_CHECKING:
    from pgserver.postgres_server import PostgresServer

_DB_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def database_url(url: str, name: str) -> str:
    """Return url with its database replaced by name (TCP and unix-socket ?host= URLs alike)."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + urllib.parse.quote(name)))


def ensure_database(admin_url: str, name: str) -> str:
    """Create database name on the server behind admin_url if missing; return its URL."""
    import psycopg
    from psycopg import sql

    # Identifiers cannot be bound as parameters; a strict name keeps the DDL safe and portable.
    if not _DB_NAME.match(name):
        raise ValueError(f"invalid database name {name!r}: use lowercase letters, digits and _")
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists is None:
            # Created concurrently by another caller is what we wanted too.
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return database_url(admin_url, name)


class EmbeddedPostgres(Server):
    """PostgreSQL 16 from the pgserver wheel, data in data_dir, reachable over a unix socket."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._server: PostgresServer | None = None
        self._url: str | None = None

    @property
    def url(self) -> str:
        """Admin URL (user postgres, database postgres) that psycopg accepts."""
        if self._url is None:
            raise RuntimeError("EmbeddedPostgres is not started")
        return self._url

    @property
    def log_file(self) -> Path:
        """The server log pgserver writes inside the data directory."""
        return self.data_dir / "log"

    @property
    def pid(self) -> int | None:
        """Process id of the postmaster (its own session, started by pg_ctl)."""
        if self._server is None:
            return None
        return self._server.get_pid()

    def start(self) -> None:
        """Initialise data_dir on first use and start the server (pg_ctl -w waits until ready)."""
        if self._server is not None:
            return
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, root shells); /tmp/runtime-UID is fine.
            warnings.simplefilter("ignore")
            from pgserver.postgres_server import get_server

        # pgserver logs every step at INFO; keep the launcher's terminal quiet.
        logging.getLogger("pgserver").setLevel(logging.WARNING)
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._server = get_server(self.data_dir, cleanup_mode="stop")
        except BaseException as exc:
            # Interrupted (Ctrl-C) or failed after pg_ctl started the postmaster: do not leave it behind.
            _pg_ctl_stop(self.data_dir.resolve())
            if not isinstance(exc, Exception):
                raise
            raise StartupError(
                f"postgres: cannot start in {self.data_dir}: {exc}; see {self.log_file}\n"
                f"--- last lines ---\n{log_tail(self.log_file)}"
            ) from exc
        self._url = self._server.get_uri()

    def stop(self) -> None:
        """Stop the server (pg_ctl stop, fast mode); idempotent."""
        server, self._server = self._server, None
        if server is None:
            return
        pid = server.get_pid()
        server.cleanup()
        # pgserver only stops the server when no other handle is registered; a handle left by a killed
        # earlier run would keep it alive forever, so make sure ourselves.
        if pid is not None and process_alive(pid):
            _pg_ctl_stop(server.pgdata)


def _pg_ctl_stop(pgdata: Path) -> None:
    """Stop a postmaster running on pgdata, if any (fast mode: disconnect clients, checkpoint, exit)."""
    if not (pgdata / "postmaster.pid").exists():
        return
    from pgserver._commands import create_command_function

    pg_ctl = create_command_function("pg_ctl")
    # pgserver runs the server as user pgserver when we are root; pg_ctl must act as that user too.
    user = "pgserver" if os.geteuid() == 0 else None
    with contextlib.suppress(subprocess.SubprocessError, OSError):
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user, timeout=60)

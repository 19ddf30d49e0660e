"""A PostgreSQL server of a test's own that it may stop and start (a restart, a crash) on the same data."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from psycopg.conninfo import conninfo_to_dict

from devstack.postgres import EmbeddedPostgres


class OwnPostgres:
    """The pgserver wheel's PostgreSQL: one data directory, one socket, so one URL across restarts."""

    def __init__(self, root: Path) -> None:
        self.embedded = EmbeddedPostgres(root / "data")
        self.embedded.start()  # initdb, then the first start
        self.url = self.embedded.url
        self.data_dir = self.embedded.data_dir.resolve()
        self.socket_dir = str(conninfo_to_dict(self.url)["host"])

    def _pg_ctl(self, *args: str) -> None:
        from pgserver._commands import create_command_function  # the wheel's own pg_ctl

        # As root, pgserver runs the server as its own user; pg_ctl must act as that user too.
        user = "pgserver" if os.geteuid() == 0 else None
        create_command_function("pg_ctl")(list(args), pgdata=self.data_dir, user=user, timeout=60)

    def stop(self, mode: str = "fast") -> None:
        """``pg_ctl stop -m mode``: immediate drops every connection at once and skips the checkpoint
        (a crash: on start, what was committed comes back from the WAL)."""
        self._pg_ctl("-w", "-m", mode, "stop")

    def start(self) -> None:
        """Start again on the same data directory and socket; returns once it accepts connections."""
        log = str(self.embedded.log_file)
        self._pg_ctl("-w", "-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", log, "start")

    def close(self) -> None:
        if (self.data_dir / "postmaster.pid").exists():
            self.stop("fast")
        self.embedded.stop()


@contextmanager
def restartable_postgres() -> Iterator[OwnPostgres]:
    """A new server, stopped and deleted on exit."""
    # Outside pytest's tmp tree: that tree is 0700, and the server runs as another user.
    root = Path(tempfile.mkdtemp(prefix="atende-own-pg-"))
    try:
        server = OwnPostgres(root)
        try:
            yield server
        finally:
            server.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)

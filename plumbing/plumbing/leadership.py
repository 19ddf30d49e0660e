"""One leader among replicas: a session-level PostgreSQL advisory lock held on a connection of its own.

The mailbox poller and the relays use it so that exactly one replica does their work at a time.

The lock lives exactly as long as that session: a replica that dies (or loses its connection) lets
it go, and the next ``hold()`` of a waiting replica takes it. Keepalives make the server notice a
vanished peer within about half a minute instead of the operating system's two hours.
"""

from __future__ import annotations

import contextlib
import hashlib

import psycopg

from plumbing.logging import get_logger

log = get_logger(__name__)
# The server probes an idle lock session every 10 s and drops it after 3 unanswered probes.
_KEEPALIVES = "-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3"


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for ``name`` (one per mailbox, one per relay)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class Leadership:
    """Whoever holds this lock does the work; the others wait and try again."""

    def __init__(self, url: str, name: str, *, connect_timeout: float = 5.0) -> None:
        self.url = url
        self.name = name
        self.key = lock_key(name)
        self.connect_timeout = connect_timeout
        self._conn: psycopg.AsyncConnection | None = None
        self.held = False

    async def hold(self) -> bool:
        """True while this process holds the lock, taking it if it is free.

        A broken session has lost the lock with it: it is dropped and the error raised, so the
        caller stops its work at once and tries again later on a new session.
        """
        try:
            if self._conn is None or self._conn.closed:
                self.held = False
                self._conn = await psycopg.AsyncConnection.connect(
                    self.url,
                    autocommit=True,
                    connect_timeout=max(1, round(self.connect_timeout)),
                    application_name=f"atende-leader:{self.name}"[:63],
                    options=_KEEPALIVES,
                )
            if self.held:
                await self._conn.execute("SELECT 1")  # still our session, so still our lock
                return True
            cursor = await self._conn.execute("SELECT pg_try_advisory_lock(%s)", (self.key,))
            row = await cursor.fetchone()
            self.held = bool(row and row[0])
            return self.held
        except psycopg.Error:
            await self.release()
            raise

    async def release(self) -> None:
        """Let the lock go (closing the session releases it)."""
        conn, self._conn, self.held = self._conn, None, False
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()

    @property
    def pid(self) -> int | None:
        """The server process of the lock's session (for operators and tests)."""
        return self._conn.info.backend_pid if self._conn is not None and not self._conn.closed else None

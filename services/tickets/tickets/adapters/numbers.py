"""Human ticket numbers from a PostgreSQL sequence: unique, never reused, gaps allowed."""

from __future__ import annotations

from psycopg_pool import ConnectionPool

from plumbing.postgres import CHECKOUT_S

FIRST_NUMBER = 1000


class PostgresNumbers:
    """``#1042``-style numbers; a sequence never hands the same value out twice, even on rollback."""

    def __init__(self, url: str) -> None:
        # Synchronous like the event store: the application runs in worker threads.
        # A checkout waits as briefly as the event store's: PostgreSQL away is a quick, retryable 503.
        # Autocommit: a nextval needs no transaction, and the pool would roll one back on return
        # (a second round trip per batch of opens).
        self._pool = ConnectionPool(
            url, min_size=1, max_size=4, open=True, timeout=CHECKOUT_S, kwargs={"autocommit": True}
        )
        with self._pool.connection() as conn:
            conn.execute(f"CREATE SEQUENCE IF NOT EXISTS ticket_number START {FIRST_NUMBER}")

    def take(self, count: int) -> list[int]:
        """The next ``count`` numbers, in one round trip (a batch of opens shares it)."""
        with self._pool.connection() as conn:
            rows = conn.execute(
                "SELECT nextval('ticket_number') FROM generate_series(1, %s)", (count,)
            ).fetchall()
        return sorted(int(row[0]) for row in rows)

    def close(self) -> None:
        """Close the pool."""
        self._pool.close()

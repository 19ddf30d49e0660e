"""Configuration of the eventsourcing library's PostgreSQL event store from one database URL."""

from __future__ import annotations

from psycopg.conninfo import conninfo_to_dict


def postgres_env(url: str, **extra: str) -> dict[str, str]:
    """The ``PERSISTENCE_MODULE``/``POSTGRES_*`` environment an ``Application`` reads, for ``url``.

    Works for TCP URLs and for unix-socket URLs (``?host=/path``), as the embedded server gives.
    """
    info = conninfo_to_dict(url)
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": str(info.get("dbname") or "postgres"),
        "POSTGRES_HOST": str(info.get("host") or "127.0.0.1"),
        "POSTGRES_PORT": str(info.get("port") or "5432"),
        "POSTGRES_USER": str(info.get("user") or "postgres"),
        "POSTGRES_PASSWORD": str(info.get("password") or ""),
        # Not POSTGRES_ENABLE_DB_FUNCTIONS: that insert path skips the table lock that makes
        # notification ids commit in order, and the relay would skip an id committed late.
    }
    env.update(extra)
    return env

"""Portuguese full-text search for read models: one configuration, ``atende_pt``, per database.

Brazilian Portuguese stemming ("problemas" finds "problema") and, where the server has the
``unaccent`` extension, accents ignored ("nao" finds "não").
"""

from __future__ import annotations

from typing import Any

from psycopg import Cursor, errors

TEXT_SEARCH = "atende_pt"


def ensure_portuguese(cursor: Cursor[Any], lock: str) -> None:
    """Create the configuration if missing, inside the caller's transaction.

    ``lock`` names an advisory lock: replicas starting together would both find it missing.
    """
    cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (lock,))
    cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = %s", (TEXT_SEARCH,))
    if cursor.fetchone() is not None:
        return
    cursor.execute(f"CREATE TEXT SEARCH CONFIGURATION {TEXT_SEARCH} (COPY = portuguese)")
    if _unaccent(cursor):
        cursor.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {TEXT_SEARCH} "
            "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, portuguese_stem"
        )


def _unaccent(cursor: Cursor[Any]) -> bool:
    """Install unaccent if the server has it (a trusted extension); some embedded servers do not."""
    cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'")
    if cursor.fetchone() is None:
        return False
    cursor.execute("SAVEPOINT unaccent")
    try:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    except errors.InsufficientPrivilege:
        cursor.execute("ROLLBACK TO SAVEPOINT unaccent")
        return False
    return True

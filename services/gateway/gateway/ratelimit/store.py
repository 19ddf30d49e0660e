"""SQL of the rate limits: one statement per check, shared by every replica through the gateway's database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from psycopg import AsyncConnection

DDL = (
    # One row per key: its GCRA arrival time. A row whose time has passed means the same as no row,
    # so sweeping those away changes no answer.
    """
    CREATE TABLE IF NOT EXISTS rate_limits (
        key text PRIMARY KEY,
        tat timestamptz NOT NULL,
        allowed boolean NOT NULL DEFAULT true
    )
    """,
    "CREATE INDEX IF NOT EXISTS rate_limits_tat ON rate_limits (tat)",
    # Failed log-ins per account (email digest) and per address; blocked_until grows with each failure.
    """
    CREATE TABLE IF NOT EXISTS login_failures (
        key text PRIMARY KEY,
        threshold integer NOT NULL,
        failures integer NOT NULL,
        last_failed_at timestamptz NOT NULL,
        blocked_until timestamptz
    )
    """,
    "CREATE INDEX IF NOT EXISTS login_failures_last ON login_failures (last_failed_at)",
)

# GCRA in one upsert. SET expressions all see the old row; `on` false inserts (and returns) nothing.
_HIT = """
    INSERT INTO rate_limits AS r (key, tat, allowed)
    SELECT %(key)s, now() + %(interval)s * interval '1 second', true WHERE %(on)s
    ON CONFLICT (key) DO UPDATE SET
        allowed = greatest(r.tat, now()) - now() <= %(tolerance)s * interval '1 second',
        tat = CASE
            WHEN greatest(r.tat, now()) - now() <= %(tolerance)s * interval '1 second'
            THEN greatest(r.tat, now()) + %(interval)s * interval '1 second'
            ELSE r.tat
        END
    RETURNING allowed, extract(epoch FROM tat - now())::float8 - %(tolerance)s AS wait_s
"""


# A key's failures with this one; those older than the window are forgotten (the count starts again).
_FAILURES = (
    "CASE WHEN f.last_failed_at > now() - %(window)s * interval '1 second' THEN f.failures + 1 ELSE 1 END"
)


@dataclass(frozen=True)
class Hit:
    """A request counted against a key: allowed, or how long until the next one would be."""

    allowed: bool
    wait_s: float


async def hit(conn: AsyncConnection, key: str, interval_s: float, tolerance_s: float) -> Hit:
    """Count one request against ``key``."""
    cursor = await conn.execute(
        _HIT, {"key": key, "interval": interval_s, "tolerance": tolerance_s, "on": True}
    )
    row = await cursor.fetchone()
    assert row is not None
    return Hit(bool(row[0]), float(row[1]))


@dataclass(frozen=True)
class LoginCheck:
    """Before a log-in: the address's request budget, the longest block in force, past failures."""

    hit: Hit
    blocked_s: float
    email_failures: int


async def check_login(
    conn: AsyncConnection,
    address_rule: tuple[str, float, float] | None,
    keys: Sequence[str],
    email_key: str,
    window_s: float,
) -> LoginCheck:
    """Count the attempt against the address (``address_rule``: key, interval, tolerance; None: off) and
    read the blocks on ``keys`` and the account's failures in the window, in one statement."""
    key, interval, tolerance = address_rule or ("", 1.0, 0.0)
    cursor = await conn.execute(
        f"""
        WITH hit AS ({_HIT})
        SELECT
            coalesce((SELECT allowed FROM hit), true),
            coalesce((SELECT wait_s FROM hit), 0),
            coalesce((
                SELECT extract(epoch FROM max(blocked_until) - now())::float8 FROM login_failures
                WHERE key = ANY(%(keys)s) AND blocked_until > now()
            ), 0),
            coalesce((
                SELECT failures FROM login_failures
                WHERE key = %(email_key)s AND last_failed_at > now() - %(window)s * interval '1 second'
            ), 0)
        """,  # noqa: S608 (only constants are formatted in; values go as parameters)
        {
            "key": key,
            "interval": interval,
            "tolerance": tolerance,
            "on": address_rule is not None,
            "keys": list(keys),
            "email_key": email_key,
            "window": window_s,
        },
    )
    row = await cursor.fetchone()
    assert row is not None
    return LoginCheck(Hit(bool(row[0]), float(row[1])), float(row[2]), int(row[3]))


async def record_failure(
    conn: AsyncConnection, keys: Sequence[str], thresholds: Sequence[int], window_s: float
) -> None:
    """One more failure on each key; from its threshold on, a block of 1 s doubling up to the window."""
    await conn.execute(
        f"""
        INSERT INTO login_failures AS f (key, threshold, failures, last_failed_at, blocked_until)
        SELECT key, threshold, 1, now(), CASE WHEN threshold <= 1 THEN now() + interval '1 second' END
        FROM unnest(%(keys)s::text[], %(thresholds)s::int[]) AS t (key, threshold)
        ON CONFLICT (key) DO UPDATE SET
            threshold = excluded.threshold,
            failures = {_FAILURES},
            last_failed_at = now(),
            blocked_until = CASE WHEN {_FAILURES} >= excluded.threshold THEN now() + least(
                %(window)s, power(2, least({_FAILURES} - excluded.threshold, 40))
            ) * interval '1 second' END
        """,  # noqa: S608 (only constants are formatted in; values go as parameters)
        {"keys": list(keys), "thresholds": list(thresholds), "window": window_s},
    )


async def forget_failures(conn: AsyncConnection, key: str) -> None:
    """A successful log-in: the account starts again with a clean slate."""
    await conn.execute("DELETE FROM login_failures WHERE key = %s", (key,))


async def sweep(conn: AsyncConnection, window_s: float) -> None:
    """Drop rows that no longer change any answer (both through their index: cheap)."""
    await conn.execute("DELETE FROM rate_limits WHERE tat < now()")
    await conn.execute(
        "DELETE FROM login_failures WHERE last_failed_at < now() - %s * interval '1 second'"
        " AND (blocked_until IS NULL OR blocked_until < now())",
        (window_s,),
    )

"""The gateway's tables, created at start-up if missing (idempotent; replicas may start together)."""

from __future__ import annotations

from psycopg_pool import AsyncConnectionPool

from gateway.ratelimit.store import DDL as LIMITS_DDL

# Any constant shared by every replica: one of them creates the tables while the others wait.
_LOCK = 0x61_74_65_6E_64_65  # "atende"

DDL = (
    """
    CREATE TABLE IF NOT EXISTS accounts (
        id uuid PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('customer', 'agent', 'admin')),
        email text NOT NULL UNIQUE,
        name text NOT NULL,
        password_hash text NOT NULL,
        departments text[] NOT NULL DEFAULT '{}',
        language text NOT NULL DEFAULT 'pt-BR',
        email_verified_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS sessions (
        id_hash bytea PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        csrf_hash bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
    )
    """,
    "CREATE INDEX IF NOT EXISTS sessions_account ON sessions (account_id)",
    """
    CREATE TABLE IF NOT EXISTS api_tokens (
        id uuid PRIMARY KEY,
        token_hash bytea NOT NULL UNIQUE,
        account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        expires_at timestamptz NOT NULL
    )
    """,
    "CREATE INDEX IF NOT EXISTS api_tokens_account ON api_tokens (account_id)",
    """
    CREATE TABLE IF NOT EXISTS one_time_tokens (
        token_hash bytea PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        purpose text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz
    )
    """,
    "CREATE INDEX IF NOT EXISTS one_time_tokens_account ON one_time_tokens (account_id, purpose)",
    # Mail waiting for the notifier. The link holds a raw one-time token: the sender clears it once sent.
    """
    CREATE TABLE IF NOT EXISTS outbox_emails (
        id bigserial PRIMARY KEY,
        template text NOT NULL,
        to_email text NOT NULL,
        to_name text NOT NULL,
        language text NOT NULL,
        link text,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz
    )
    """,
    "CREATE INDEX IF NOT EXISTS outbox_emails_unsent ON outbox_emails (id) WHERE sent_at IS NULL",
)


async def ensure_schema(pool: AsyncConnectionPool) -> None:
    """Create every table and index that is missing, under a lock so concurrent starts do not clash."""
    async with pool.connection() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
        for statement in (*DDL, *LIMITS_DDL):
            await conn.execute(statement)

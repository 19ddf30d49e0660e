"""Tables of the chat read models: one row per conversation, one per entry, and transcript search."""

from typing import Any

from psycopg import Cursor

from plumbing.textsearch import TEXT_SEARCH, ensure_portuguese

# Search ignores accents ("solicitacao" finds "solicitação") where the server has unaccent; the
# configuration's name is the same either way (and the same as the tickets service's, in its own database).

_TABLES = f"""
CREATE TABLE IF NOT EXISTS chat_conversations (
    conversation_id uuid PRIMARY KEY,
    status text NOT NULL,
    department text NOT NULL,
    customer_email text NOT NULL,
    customer_name text NOT NULL,
    question text NOT NULL,
    agent_id text,
    agent_name text,
    requested_at timestamptz NOT NULL,
    queued_at timestamptz,
    accepted_at timestamptz,
    waited_s double precision,
    closed_at timestamptz,
    last_seq integer NOT NULL,
    messages integer NOT NULL DEFAULT 0,
    customer_active_at timestamptz NOT NULL,
    last_activity_at timestamptz NOT NULL,
    version integer NOT NULL
);
-- The customer's latest rating (added later: older databases gain the columns).
ALTER TABLE chat_conversations ADD COLUMN IF NOT EXISTS rating_score integer;
ALTER TABLE chat_conversations ADD COLUMN IF NOT EXISTS rating_comment text;
ALTER TABLE chat_conversations ADD COLUMN IF NOT EXISTS rated_at timestamptz;
CREATE INDEX IF NOT EXISTS chat_conversations_queue
    ON chat_conversations (department, queued_at, conversation_id) WHERE status = 'queued';
CREATE INDEX IF NOT EXISTS chat_conversations_agent ON chat_conversations (agent_id) WHERE status = 'active';
CREATE INDEX IF NOT EXISTS chat_conversations_customer ON chat_conversations (customer_email, requested_at DESC);
CREATE INDEX IF NOT EXISTS chat_conversations_department ON chat_conversations (department, requested_at DESC);
CREATE INDEX IF NOT EXISTS chat_conversations_accepts
    ON chat_conversations (department, accepted_at DESC) WHERE accepted_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS chat_conversations_open
    ON chat_conversations (customer_active_at) WHERE status IN ('queued', 'active');
CREATE TABLE IF NOT EXISTS chat_entries (
    conversation_id uuid NOT NULL,
    seq integer NOT NULL,
    kind text NOT NULL,
    author_kind text NOT NULL,
    author_id text NOT NULL,
    author_name text NOT NULL DEFAULT '',
    text text,
    attachment_id text,
    client_id text,
    agent_id text,
    agent_name text,
    department text,
    at timestamptz NOT NULL,
    PRIMARY KEY (conversation_id, seq)
);
CREATE INDEX IF NOT EXISTS chat_entries_search
    ON chat_entries USING gin (to_tsvector('{TEXT_SEARCH}', text)) WHERE text IS NOT NULL;
"""


def create(cursor: Cursor[Any]) -> None:
    """Create the text search configuration and the tables, if missing."""
    ensure_portuguese(cursor, "atende.chat.views.schema")
    cursor.execute(_TABLES)


def drop(cursor: Cursor[Any]) -> None:
    """Drop the tables (the search configuration stays: it holds no data)."""
    cursor.execute("DROP TABLE IF EXISTS chat_conversations, chat_entries")

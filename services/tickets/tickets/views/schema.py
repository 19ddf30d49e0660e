"""Tables of the tickets read models: one row per ticket, one per history entry, and search."""

from typing import Any

from psycopg import Cursor

from plumbing.textsearch import TEXT_SEARCH, ensure_portuguese

# Search ignores accents ("solicitacao" finds "solicitação") where the server has unaccent;
# the configuration's name is the same either way, so queries and indexes never change.

_TABLES = f"""
CREATE TABLE IF NOT EXISTS ticket_summary (
    ticket_id uuid PRIMARY KEY,
    number integer NOT NULL UNIQUE,
    subject text NOT NULL,
    status text NOT NULL,
    channel text NOT NULL,
    customer_email text NOT NULL,
    customer_name text NOT NULL,
    department text,
    assignee text,
    reopens integer,
    replies integer NOT NULL DEFAULT 0,
    opened_at timestamptz NOT NULL,
    finished_at timestamptz,
    last_activity_at timestamptz NOT NULL,
    public_activity_at timestamptz NOT NULL,
    version integer NOT NULL
);
CREATE INDEX IF NOT EXISTS ticket_summary_customer
    ON ticket_summary (customer_email, public_activity_at DESC);
CREATE INDEX IF NOT EXISTS ticket_summary_inbox
    ON ticket_summary (department, status, last_activity_at DESC);
CREATE INDEX IF NOT EXISTS ticket_summary_assignee ON ticket_summary (assignee, status);
-- The inbox's first page over several departments and statuses, newest activity first.
CREATE INDEX IF NOT EXISTS ticket_summary_activity ON ticket_summary (last_activity_at DESC, number DESC);
-- How many tickets each department ('': none yet) holds in each status, kept by the projection in the
-- transaction that moves them: the inbox's counts without counting every ticket there ever was.
CREATE TABLE IF NOT EXISTS ticket_counts (
    department text NOT NULL,
    status text NOT NULL,
    count integer NOT NULL,
    PRIMARY KEY (department, status)
);
CREATE INDEX IF NOT EXISTS ticket_summary_subject_search
    ON ticket_summary USING gin (to_tsvector('{TEXT_SEARCH}', subject));
CREATE TABLE IF NOT EXISTS ticket_history (
    ticket_id uuid NOT NULL,
    version integer NOT NULL,
    kind text NOT NULL,
    internal boolean NOT NULL,
    actor_kind text NOT NULL,
    actor text NOT NULL,
    at timestamptz NOT NULL,
    channel text,
    body text,
    attachment_ids text[] NOT NULL DEFAULT '{{}}',
    previous_status text,
    status text,
    assignee text,
    threaded_by text,
    refused_attachments jsonb NOT NULL DEFAULT '[]',
    score integer,
    PRIMARY KEY (ticket_id, version)
);
-- Added after the first release: tables created before them gain the columns in place (events
-- older than refused_attachments had no refused files, so '[]' is their true value).
ALTER TABLE ticket_history ADD COLUMN IF NOT EXISTS threaded_by text;
ALTER TABLE ticket_history ADD COLUMN IF NOT EXISTS refused_attachments jsonb NOT NULL DEFAULT '[]';
ALTER TABLE ticket_history ADD COLUMN IF NOT EXISTS score integer;
CREATE INDEX IF NOT EXISTS ticket_history_body_search
    ON ticket_history USING gin (to_tsvector('{TEXT_SEARCH}', body)) WHERE body IS NOT NULL;
"""


def create(cursor: Cursor[Any]) -> None:
    """Create the text search configuration and the tables, if missing."""
    ensure_portuguese(cursor, "atende.tickets.views.schema")
    cursor.execute(_TABLES)
    # Views built before ticket_counts existed are counted once; from then on the projection keeps it.
    cursor.execute(
        "INSERT INTO ticket_counts (department, status, count) "
        "SELECT coalesce(department, ''), status, count(*) FROM ticket_summary "
        "WHERE NOT EXISTS (SELECT FROM ticket_counts) GROUP BY 1, 2 ON CONFLICT DO NOTHING"
    )


def drop(cursor: Cursor[Any]) -> None:
    """Drop the tables (the search configuration stays: it holds no data)."""
    cursor.execute("DROP TABLE IF EXISTS ticket_summary, ticket_history, ticket_counts")

"""The ``attachments`` table: what is stored where, for whom, and the facts to announce with it.

A row is written as ``pending`` before its bytes go to S3 and becomes ``stored`` (with its
``AttachmentStored`` fact in the outbox) in one transaction after; so the database knows every
object that may exist, and a crash in between leaves a pending row for the sweeper, never an
object nobody can find.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from contracts.files import Attachment, AttachmentRejectedV1, AttachmentStoredV1, OwnerKind
from contracts.subjects import ATTACHMENT_REJECTED_V1, ATTACHMENT_STORED_V1
from plumbing import outbox

SCHEMA = """
CREATE TABLE IF NOT EXISTS attachments (
    attachment_id text PRIMARY KEY,
    state text NOT NULL CHECK (state IN ('pending', 'stored')),
    storage_key text NOT NULL UNIQUE,
    owner_kind text NOT NULL,
    owner_id text NOT NULL,
    filename text NOT NULL,
    uploaded_by text NOT NULL,
    content_type text,
    size bigint,
    sha256 text,
    created_at timestamptz NOT NULL DEFAULT now(),
    stored_at timestamptz
);
CREATE INDEX IF NOT EXISTS attachments_owner ON attachments (owner_kind, owner_id);
CREATE INDEX IF NOT EXISTS attachments_pending ON attachments (created_at) WHERE state = 'pending';
"""


@dataclass(frozen=True)
class Found:
    """A stored attachment and where its bytes are."""

    attachment: Attachment
    storage_key: str


def _attachment(row: dict[str, object]) -> Attachment:
    return Attachment.model_validate(row)  # extra columns (the storage key) are ignored


class Catalog:
    """Reads and writes attachment records (each call its own transaction)."""

    def __init__(self, pool: AsyncConnectionPool) -> None:
        self.pool = pool

    async def ensure_schema(self) -> None:
        """Create the tables if missing."""
        async with self.pool.connection() as conn:
            await conn.execute(SCHEMA)
            await conn.execute(outbox.SCHEMA)

    async def reserve(
        self,
        attachment_id: str,
        storage_key: str,
        owner_kind: OwnerKind,
        owner_id: str,
        filename: str,
        by: str,
    ) -> bool:
        """Note that bytes are on their way to ``storage_key``; False if the id is taken."""
        async with self.pool.connection() as conn:
            cursor = await conn.execute(
                "INSERT INTO attachments (attachment_id, state, storage_key, owner_kind, owner_id, filename,"
                " uploaded_by) VALUES (%s, 'pending', %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (attachment_id, storage_key, owner_kind.value, owner_id, filename, by),
            )
            return cursor.rowcount == 1

    async def stored(self, attachment: Attachment) -> None:
        """Mark the reserved row stored and queue its fact, in one transaction."""
        async with self.pool.connection() as conn, conn.transaction():
            await conn.execute(
                "UPDATE attachments SET state = 'stored', content_type = %s, size = %s, sha256 = %s,"
                " stored_at = %s WHERE attachment_id = %s AND state = 'pending'",
                (
                    attachment.content_type,
                    attachment.size,
                    attachment.sha256,
                    attachment.stored_at,
                    attachment.attachment_id,
                ),
            )
            fact = AttachmentStoredV1(**attachment.model_dump())
            await outbox.add(
                conn, ATTACHMENT_STORED_V1, fact, message_id=f"stored:{attachment.attachment_id}"
            )

    async def forget(self, attachment_id: str) -> None:
        """Drop a pending row whose bytes never arrived."""
        async with self.pool.connection() as conn:
            await conn.execute(
                "DELETE FROM attachments WHERE attachment_id = %s AND state = 'pending'", (attachment_id,)
            )

    async def rejected(self, fact: AttachmentRejectedV1) -> None:
        """Queue the fact that an upload was refused (nothing else is kept of it)."""
        async with self.pool.connection() as conn:
            await outbox.add(conn, ATTACHMENT_REJECTED_V1, fact, message_id=f"rejected:{fact.attachment_id}")

    async def find(self, attachment_id: str) -> Found | None:
        """The stored attachment with this id, or None (pending or unknown)."""
        async with self.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(
                "SELECT attachment_id, owner_kind, owner_id, filename, content_type, size, sha256, uploaded_by, stored_at, storage_key FROM attachments"
                " WHERE attachment_id = %s AND state = 'stored'",
                (attachment_id,),
            )
            row = await cur.fetchone()
        return None if row is None else Found(_attachment(row), str(row["storage_key"]))

    async def describe(self, attachment_ids: Sequence[str]) -> list[Attachment]:
        """The stored ones among ``attachment_ids``, in the order asked."""
        async with self.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(
                "SELECT attachment_id, owner_kind, owner_id, filename, content_type, size, sha256, uploaded_by, stored_at FROM attachments"
                " WHERE attachment_id = ANY(%s) AND state = 'stored'",
                (list(attachment_ids),),
            )
            found = {row["attachment_id"]: _attachment(row) for row in await cur.fetchall()}
        return [found[id_] for id_ in dict.fromkeys(attachment_ids) if id_ in found]

    async def abandoned(self, before: datetime, limit: int = 100) -> list[tuple[str, str]]:
        """(id, storage key) of pending rows older than ``before``: uploads that died half-way."""
        async with self.pool.connection() as conn:
            cursor = await conn.execute(
                "SELECT attachment_id, storage_key FROM attachments WHERE state = 'pending' AND created_at < %s"
                " ORDER BY created_at LIMIT %s",
                (before, limit),
            )
            return [(str(a), str(k)) for a, k in await cursor.fetchall()]

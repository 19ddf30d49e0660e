"""The service layer: one upload from its first byte to a stored attachment or a named refusal.

Bytes are spooled to a temporary file while they are counted and hashed (memory stays at one
chunk), checked there, then streamed to S3. Nothing is recorded for an upload that breaks
off; a refusal is announced as ``AttachmentRejected`` and leaves no object and no row.
"""

from __future__ import annotations

import asyncio
import hashlib
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

from contracts.files import Attachment, AttachmentRejectedV1, OwnerKind
from files.adapters import clamd
from files.adapters.catalog import Catalog
from files.adapters.storage import Storage
from files.config import Settings
from files.domain.policy import Refusal, check, extension_of, safe_name
from files.domain.reasons import explain
from files.inspection import Inspected, inspect
from files.metrics import STORED_BYTES, UPLOADS
from plumbing.errors import Conflict, Unavailable
from plumbing.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class Upload:
    """What the caller says about the bytes it sends."""

    filename: str
    owner_kind: OwnerKind
    owner_id: str
    uploaded_by: str
    declared_size: int | None = None
    attachment_id: str | None = None  # a caller that may retry (mail-ingest) names it: same id, one file


class Refused(Exception):
    """The upload breaks a rule; the refusal says which."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.code)
        self.refusal = refusal


def storage_key(now: datetime) -> str:
    """A generated key: nothing of the caller's name reaches the storage layer."""
    return f"{now:%Y/%m/%d}/{uuid.uuid4().hex}"


class Uploads:
    """Receives uploads and stores the acceptable ones."""

    def __init__(
        self,
        catalog: Catalog,
        storage: Storage,
        settings: Settings,
        *,
        announced: Callable[[], None] = lambda: None,
    ) -> None:
        self.catalog = catalog
        self.storage = storage
        self.settings = settings
        self.allowed = frozenset(settings.extensions)
        self.announced = announced  # wakes the outbox publisher after a commit

    async def receive(self, upload: Upload, body: AsyncIterator[bytes]) -> Attachment:
        """Store ``body`` as an attachment of the upload's owner, or raise Refused / Unavailable."""
        name = safe_name(upload.filename)
        attachment_id = upload.attachment_id or str(uuid.uuid4())
        if upload.attachment_id is not None and (earlier := await self.catalog.find(attachment_id)):
            return earlier.attachment  # a retry of an upload that already landed
        # The size limit is this deployment's setting, so the declared size is checked here.
        if refusal := check(name, None, self.allowed):
            await self._refuse(upload, attachment_id, name, refusal)
        if upload.declared_size is not None and upload.declared_size > self.settings.max_bytes:
            await self._refuse(upload, attachment_id, name, Refusal("too_large", self.settings.max_bytes))
        with tempfile.TemporaryDirectory(dir=self.settings.spool_dir, prefix="upload-") as folder:
            path = Path(folder) / "body"
            size, sha256 = await self._spool(body, path)
            if size > self.settings.max_bytes:
                await self._refuse(upload, attachment_id, name, Refusal("too_large", self.settings.max_bytes))
            if size == 0:
                await self._refuse(upload, attachment_id, name, Refusal("empty"))
            found = await asyncio.to_thread(self._examine, path, extension_of(name))
            if isinstance(found, Refusal):
                await self._refuse(upload, attachment_id, name, found)
            return await self._store(upload, attachment_id, name, path, size, sha256, found)

    async def _spool(self, body: AsyncIterator[bytes], path: Path) -> tuple[int, str]:
        """Write the body to ``path``; stops reading one byte past the limit."""
        digest, size = hashlib.sha256(), 0
        with path.open("wb") as out:
            async for chunk in body:
                size += len(chunk)
                if size > self.settings.max_bytes:
                    break  # the caller sees 413; the rest of the body is never read
                digest.update(chunk)
                out.write(chunk)
        return size, digest.hexdigest()

    def _examine(self, path: Path, extension: str) -> Inspected | Refusal:
        """Content checks, then the optional virus scan (blocking)."""
        found = inspect(path, extension)
        if isinstance(found, Refusal) or self.settings.clamd_address is None:
            return found
        try:
            threat = clamd.scan(self.settings.clamd_address, path)
        except clamd.ScanFailed as exc:
            log.warning("files.scan_failed", error=str(exc))
            raise Unavailable("scanner_unavailable") from exc
        return found if threat is None else Refusal("infected", detail=threat)

    async def _store(
        self,
        upload: Upload,
        attachment_id: str,
        name: str,
        path: Path,
        size: int,
        sha256: str,
        found: Inspected,
    ) -> Attachment:
        now = datetime.now(UTC)
        key = storage_key(now)
        if not await self.catalog.reserve(
            attachment_id, key, upload.owner_kind, upload.owner_id, name, upload.uploaded_by
        ):
            raise Conflict("upload_in_progress")
        try:
            await asyncio.to_thread(self.storage.put, key, path, size, found.content_type)
        except Exception as exc:
            log.warning("files.storage_failed", error=repr(exc))
            await self.catalog.forget(attachment_id)
            raise Unavailable("storage_unavailable") from exc
        attachment = Attachment(
            attachment_id=attachment_id,
            owner_kind=upload.owner_kind,
            owner_id=upload.owner_id,
            filename=name,
            content_type=found.content_type,
            size=size,
            sha256=sha256,
            uploaded_by=upload.uploaded_by,
            stored_at=now,
        )
        # If this fails the pending row stays, and the sweeper removes the object and the row.
        await self.catalog.stored(attachment)
        self.announced()
        UPLOADS.labels("stored", "").inc()
        STORED_BYTES.inc(size)
        log.info("files.stored", attachment_id=attachment_id, size=size, content_type=found.content_type)
        return attachment

    async def _refuse(self, upload: Upload, attachment_id: str, name: str, refusal: Refusal) -> NoReturn:
        fact = AttachmentRejectedV1(
            attachment_id=attachment_id,
            owner_kind=upload.owner_kind,
            owner_id=upload.owner_id,
            filename=name,
            reason_code=refusal.code,
            reason=explain(refusal.code),
            uploaded_by=upload.uploaded_by,
            rejected_at=datetime.now(UTC),
        )
        await self.catalog.rejected(fact)
        self.announced()
        UPLOADS.labels("refused", refusal.code).inc()
        log.info("files.refused", attachment_id=attachment_id, reason=refusal.code)
        raise Refused(refusal)

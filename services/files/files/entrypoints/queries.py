"""Request-reply over NATS: what is known about attachments (metadata only, never bytes)."""

from __future__ import annotations

from contracts import Envelope, Message
from contracts.files import AttachmentListV1, DescribeAttachmentsV1
from contracts.subjects import DESCRIBE_ATTACHMENTS_V1
from files.adapters.catalog import Catalog
from plumbing.bus import Bus


async def register(bus: Bus, catalog: Catalog) -> None:
    """Serve the files queries in the files queue group."""

    async def describe(query: DescribeAttachmentsV1, envelope: Envelope) -> Message:
        return AttachmentListV1(attachments=await catalog.describe(query.attachment_ids))

    await bus.serve("describe", DESCRIBE_ATTACHMENTS_V1, DescribeAttachmentsV1, describe)

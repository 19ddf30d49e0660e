"""Asks the files service over NATS for attachments' names (their bytes never pass through here)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import nats.errors

from contracts.files import AttachmentListV1, DescribeAttachmentsV1
from contracts.subjects import DESCRIBE_ATTACHMENTS_V1
from plumbing.bus import Bus
from plumbing.errors import ServiceError
from plumbing.logging import get_logger

log = get_logger(__name__)
# File names by attachment id (stored files only); None when the files service did not answer.
Describe = Callable[[Sequence[str]], Awaitable[dict[str, str] | None]]
_PER_QUERY = 100  # DescribeAttachmentsV1 takes at most this many ids


def describer(bus: Bus, timeout_s: float) -> Describe:
    """A ``Describe`` over the bus, each query bounded by ``timeout_s``."""

    async def describe(attachment_ids: Sequence[str]) -> dict[str, str] | None:
        ids = list(dict.fromkeys(attachment_ids))
        names: dict[str, str] = {}
        try:
            for start in range(0, len(ids), _PER_QUERY):
                query = DescribeAttachmentsV1(attachment_ids=ids[start : start + _PER_QUERY])
                found = await bus.request(DESCRIBE_ATTACHMENTS_V1, query, AttachmentListV1, timeout=timeout_s)
                names |= {a.attachment_id: a.filename for a in found.attachments}
        except (ServiceError, nats.errors.Error) as exc:  # a timeout, no responders, its refusal
            log.warning("notifier.files_describe_failed", error=repr(exc))
            return None
        return names

    return describe

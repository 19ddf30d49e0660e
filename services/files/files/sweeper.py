"""Removes what uploads that died half-way left behind: a pending row and perhaps its object."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from files.adapters.catalog import Catalog
from files.adapters.storage import Storage
from plumbing.logging import get_logger
from plumbing.worker import Loop

log = get_logger(__name__)


class Sweeper:
    """Every ``poll_s``, forgets uploads pending for longer than ``grace`` (an upload takes seconds)."""

    def __init__(
        self,
        catalog: Catalog,
        storage: Storage,
        *,
        grace: timedelta = timedelta(hours=1),
        poll_s: float = 600,
    ) -> None:
        self.catalog = catalog
        self.storage = storage
        self.grace = grace
        self.worker = Loop("sweeper", self.sweep, poll_s=poll_s)

    async def sweep(self) -> int:
        """Remove the objects, then the rows, of abandoned uploads; how many."""
        abandoned = await self.catalog.abandoned(datetime.now(UTC) - self.grace)
        for attachment_id, key in abandoned:
            await asyncio.to_thread(self.storage.remove, key)  # the object first: a row always covers it
            await self.catalog.forget(attachment_id)
            log.info("files.swept", attachment_id=attachment_id)
        return len(abandoned)

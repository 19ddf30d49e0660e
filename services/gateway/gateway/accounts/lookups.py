"""Credential lookups of concurrent requests share one statement, like a group commit for reads.

The first request's lookup goes to the database at once, alone; those that arrive while it runs
wait for it and then go together in the next statement. Every request is still answered from the
database as it is after the request arrived — a token revoked or a session ended before then is
refused, never served from a cache — but a burst of requests costs one round trip and one
connection instead of one each. Light load adds no delay.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class GroupLookup(Generic[K, V]):
    """Looks keys up in batches with ``fetch`` (keys → the rows found, by key; missing keys: None)."""

    def __init__(
        self, fetch: Callable[[Sequence[K]], Awaitable[Mapping[K, V]]], max_batch: int = 100
    ) -> None:
        self.fetch = fetch
        self.max_batch = max_batch
        self._pending: list[tuple[K, asyncio.Future[V | None]]] = []
        self._worker: asyncio.Task[None] | None = None
        # The lookups run in the context this was made in, not in that of whichever request
        # happened to start them (its correlation id would be on lines about everyone's lookups).
        self._context = contextvars.copy_context()

    async def get(self, key: K) -> V | None:
        """The row for ``key``, read by a statement that started after this call."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[V | None] = loop.create_future()
        self._pending.append((key, future))
        if self._worker is not None and self._worker.get_loop() is not loop:
            # Another event loop (tests run one per test): what was left for the old one is dead.
            self._pending = [entry for entry in self._pending if entry[1].get_loop() is loop]
            self._worker = None
        if self._worker is None or self._worker.done():
            self._worker = loop.create_task(self._drain(), context=self._context.copy())
        return await future

    async def _drain(self) -> None:
        batch: list[tuple[K, asyncio.Future[V | None]]] = []
        try:
            while self._pending:
                batch, self._pending = self._pending[: self.max_batch], self._pending[self.max_batch :]
                try:
                    found = await self.fetch(list(dict.fromkeys(key for key, _ in batch)))
                except Exception as exc:
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                for key, future in batch:
                    if not future.done():
                        future.set_result(found.get(key))
        finally:
            # Cancelled (shutdown): nobody may be left waiting for an answer that will not come.
            for _, future in [*batch, *self._pending]:
                if not future.done():
                    future.cancel()

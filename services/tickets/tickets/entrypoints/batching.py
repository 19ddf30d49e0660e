"""Group commit for opens: requests that arrive while a save runs share the next transaction.

The event store takes a table lock per transaction, so one transaction per ticket caps the rate
at one lock round per ticket. Here the first request is saved at once, alone; the ones that
arrive meanwhile wait for it and then go together. Light load adds no delay; heavy load pays
one commit per batch instead of per ticket.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from tickets.application import OpenRequest, Tickets
from tickets.domain.ticket import Ticket

Result = tuple[Ticket, int | None]


class OpenBatcher:
    """Collects concurrent opens and saves them in as few transactions as possible."""

    def __init__(
        self, app: Tickets, include_views: Callable[[int], None] = lambda _: None, max_batch: int = 64
    ) -> None:
        self.app = app
        self.include_views = include_views  # read-your-writes, in the same thread as the save
        self.max_batch = max_batch
        self._pending: list[tuple[OpenRequest, asyncio.Future[Result]]] = []
        self._worker: asyncio.Task[None] | None = None

    async def open(self, request: OpenRequest) -> Result:
        """The ticket (new or found) and the notification id of the save it took part in, if any."""
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._pending.append((request, future))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[: self.max_batch], self._pending[self.max_batch :]
            try:
                tickets, position = await asyncio.to_thread(self._save, [request for request, _ in batch])
            except Exception as exc:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), ticket in zip(batch, tickets, strict=True):
                if not future.done():
                    future.set_result((ticket, position))

    def _save(self, requests: list[OpenRequest]) -> tuple[list[Ticket], int | None]:
        self.app.saves.position = None
        tickets = self.app.open_many(requests)
        if (position := self.app.saves.position) is not None:
            self.include_views(position)
        return tickets, position

"""Group commit for every change: what arrives while a save runs is saved together in the next one.

The event store takes a table lock per transaction (writers are serialised, ~600–1,000 saves/s),
so one transaction per message cannot carry thousands of messages a second. Here a single writer
task per process saves the first change at once, alone; everything that arrives meanwhile —
messages of many conversations, accepts, closes — waits for it and then goes in one transaction.
Light load adds no delay; heavy load pays one commit per batch, the views' rows included
(``Projector.alongside`` in the save's transaction).

Two stages: while batch N's frames and answers run (they must follow the commit, in order) — and
its views step, when they could not come along — batch N+1 is already being decided and saved.
A batch of messages alone never waits for a views step: its frames and acks leave right after the
commit, and views that were behind catch up behind it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from prometheus_client import Histogram

from chat.application import Conversations, Result
from chat.changes import Change, Outcome
from plumbing.logging import current_correlation_id, get_logger

log = get_logger(__name__)
BATCH_CHANGES = Histogram(
    "atende_chat_batch_changes",
    "Changes saved per event-store transaction (group commit).",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256),
)
# After a batch is committed (and the views include it): what it did, each with its request's correlation.
Committed = Callable[[list[tuple[Outcome, str | None]]], Awaitable[None]]


async def _nothing(outcomes: list[tuple[Outcome, str | None]]) -> None:
    return None


@dataclass
class _Pending:
    change: Change
    future: asyncio.Future[Outcome]
    correlation: str | None


class Writer:
    """The one way changes reach the event store in this process."""

    def __init__(
        self,
        app: Conversations,
        *,
        after_save: Callable[[int], None] = lambda _: None,
        committed: Committed = _nothing,
        max_batch: int = 256,
        later: Callable[[int], None] = lambda _: None,
    ) -> None:
        self.app = app
        self.after_save = after_save  # read-your-writes: bring the views up to a save (in a thread)
        self.later = later  # or let them catch up to it in the background (a batch of messages only)
        self.committed = committed  # live frames, relay nudge: after the commit, before the answers
        self.max_batch = max_batch
        self._pending: list[_Pending] = []
        self._worker: asyncio.Task[None] | None = None
        self._finishing: asyncio.Task[None] | None = None  # the last batch's views, frames and answers

    async def submit(self, change: Change) -> Outcome:
        """Save ``change`` with whatever else is waiting; its outcome, or the refusal raised."""
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._pending.append(_Pending(change, future, current_correlation_id()))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._drain(), name="chat-writer")
        return await future

    async def stop(self) -> None:
        """Let the batches in hand finish."""
        for task in (self._worker, self._finishing):
            if task is not None:
                await asyncio.gather(task, return_exceptions=True)

    async def _drain(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[: self.max_batch], self._pending[self.max_batch :]
            BATCH_CHANGES.observe(len(batch))
            try:
                results, position = await asyncio.to_thread(
                    self.app.run, [pending.change for pending in batch]
                )
            except Exception as exc:
                # Nothing was saved (PostgreSQL away, or the batch kept losing races): all may retry.
                for pending in batch:
                    if not pending.future.done():
                        pending.future.set_exception(exc)
                continue
            self._finishing = asyncio.create_task(self._finish(batch, results, position, self._finishing))

    async def _finish(
        self,
        batch: list[_Pending],
        results: list[Result],
        position: int | None,
        previous: asyncio.Task[None] | None,
    ) -> None:
        """The views include the batch if it needs them, then its frames go out and its callers get answers."""
        if previous is not None:
            await asyncio.gather(previous, return_exceptions=True)  # frames and answers in commit order
        try:
            if position is not None and any(pending.change.read_your_writes for pending in batch):
                await asyncio.to_thread(self.after_save, position)
            elif position is not None:
                self.later(position)  # messages: readers get them from the tail until the views catch up
            done = [
                (result, pending.correlation)
                for pending, result in zip(batch, results, strict=True)
                if isinstance(result, Outcome) and result.events
            ]
            if done:
                await self.committed(done)
        except Exception as exc:  # saved all the same; frames are best effort (clients gap-fill)
            log.warning("chat.committed_hook_failed", error=repr(exc))
        for pending, result in zip(batch, results, strict=True):
            if pending.future.done():
                continue
            if isinstance(result, Exception):
                pending.future.set_exception(result)
            else:
                pending.future.set_result(result)


class Followed(Protocol):
    """What ``Behind`` needs of a projector."""

    position: int

    def nudge(self) -> None: ...


class Behind:
    """Wakes the views' background loop after a save they do not include (``Writer.later``).

    A save normally brings the views along in its own transaction; waking the loop then would only
    cost a round that locks the views' position row (and commits) while the next save waits for it.
    """

    def __init__(self, views: Followed, every_s: float) -> None:
        self.views = views
        self.soon = Coalesced(views.nudge, every_s)

    def __call__(self, position: int) -> None:
        if self.views.position < position:
            self.soon()


class Coalesced:
    """Calls ``nudge`` at most once per ``every_s``, and once more after a burst (never drops the last)."""

    def __init__(self, nudge: Callable[[], None], every_s: float = 0.05) -> None:
        self.nudge = nudge
        self.every_s = every_s
        self._last = float("-inf")
        self._scheduled = False

    def __call__(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        if now - self._last >= self.every_s:
            self._last = now
            self.nudge()
        elif not self._scheduled:
            self._scheduled = True
            loop.call_at(self._last + self.every_s, self._fire)

    def _fire(self) -> None:
        self._scheduled = False
        self._last = asyncio.get_running_loop().time()
        self.nudge()

"""A background loop: repeat a round of work until stopped, at once when nudged, backing off on errors.

Relays, projectors and outbox or mailbox pollers are all this loop around a different round.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable

from plumbing.logging import get_logger

log = get_logger(__name__)


class Loop:
    """Runs ``work`` now, after every ``nudge()``, and every ``poll_s`` otherwise.

    With ``linger_s`` > 0 a nudged round starts that much later, so that a burst of nudges (one
    per save, say) costs one round instead of one each.

    A round that raises is logged and retried after a growing delay (0.5 s doubling up to 10 s);
    whatever it did not finish stays for the next round, which is why every round must be safe to
    repeat. ``stop()`` lets the round in hand finish.
    """

    def __init__(
        self,
        name: str,
        work: Callable[[], Awaitable[object]],
        *,
        poll_s: float,
        on_error: Callable[[], Awaitable[None]] | None = None,
        linger_s: float = 0.0,
    ) -> None:
        self.name = name
        self.work = work
        self.poll_s = poll_s
        self.linger_s = linger_s  # > 0: a nudged round waits this long for more nudges to join it
        self.on_error = on_error  # e.g. drop a connection that may be broken
        self.failures = 0
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: int | None = None

    @property
    def stopping(self) -> bool:
        """True once stop() was called: a long round checks it between items."""
        return self._stopping.is_set()

    @property
    def healthy(self) -> bool:
        """True while the loop runs and its last round did not fail."""
        return self._task is not None and not self._task.done() and self.failures == 0

    def start(self) -> None:
        """Start the loop in the background."""
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        self._task = asyncio.create_task(self._run(), name=self.name)

    def nudge(self) -> None:
        """Run a round now rather than at the next poll. Safe from any thread."""
        if self._loop is None:
            return
        if self._thread == threading.get_ident():
            self._wake.set()  # on the loop's own thread (e.g. after every command): no wake-up write
        else:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def stop(self) -> None:
        """Let the round in hand finish, then stop."""
        self._stopping.set()
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while not self._stopping.is_set():
            if self.linger_s > 0 and self._wake.is_set():
                # Nudged: the nudges of the next moment are served by this same round.
                await asyncio.sleep(self.linger_s)
                if self._stopping.is_set():
                    break
            self._wake.clear()
            try:
                await self.work()
                self.failures, delay = 0, self.poll_s
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.failures += 1
                delay = min(0.5 * 2**self.failures, 10.0)
                log.warning("worker.failed", worker=self.name, failures=self.failures, error=repr(exc))
                if self.on_error is not None:
                    with contextlib.suppress(Exception):
                        await self.on_error()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)

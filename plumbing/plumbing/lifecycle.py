"""Process lifecycle: logging, the event loop, SIGTERM/SIGINT → graceful stop within a grace period."""

from __future__ import annotations

import asyncio
import gc
import signal
from collections.abc import Callable, Coroutine
from contextlib import AbstractAsyncContextManager
from typing import TypeVar

from plumbing.logging import configure, get_logger
from plumbing.runtime import Runtime
from plumbing.settings import ServiceSettings

log = get_logger(__name__)
S = TypeVar("S", bound=ServiceSettings)
Serve = Callable[[asyncio.Event], Coroutine[None, None, None]]


def run(service: str, settings: ServiceSettings, serve: Serve) -> int:
    """Run ``serve(stop)`` until it returns; ``stop`` is set by SIGTERM or SIGINT. Returns an exit code."""
    configure(service, settings.log_level, settings.log_format)
    gc.set_threshold(*settings.gc_thresholds)
    try:
        import uvloop

        return uvloop.run(_main(serve, settings.shutdown_grace_s))
    except ImportError:
        return asyncio.run(_main(serve, settings.shutdown_grace_s))


async def _main(serve: Serve, grace_s: float) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    task = asyncio.create_task(serve(stop), name="serve")

    def on_signal(signum: int) -> None:
        if stop.is_set():
            log.warning("service.forced_stop", signal=signal.Signals(signum).name)
            task.cancel()
            return
        log.info("service.signal", signal=signal.Signals(signum).name)
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, on_signal, signum)
    stopped = asyncio.create_task(stop.wait())
    await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    try:
        await asyncio.wait_for(asyncio.shield(task), timeout=grace_s)
    except TimeoutError:
        log.error("service.shutdown_timeout", grace_s=grace_s)
        task.cancel()
        return 1
    except asyncio.CancelledError:
        return 1
    except Exception:
        log.exception("service.crashed")
        return 1
    finally:
        stopped.cancel()
    log.info("service.stopped")
    return 0


def run_service(
    service: str, settings: S, bootstrap: Callable[[S], AbstractAsyncContextManager[Runtime]]
) -> int:
    """Run a service: open everything its bootstrap wires, report ready, and wait for a stop signal."""

    async def serve(stop: asyncio.Event) -> None:
        async with bootstrap(settings) as runtime:
            runtime.health.started = True
            log.info("service.ready")
            await stop.wait()

    return run(service, settings, serve)

"""Health, readiness and metrics over HTTP, for probes and Prometheus."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from plumbing.logging import get_logger

log = get_logger(__name__)
Check = Callable[[], Awaitable[bool] | bool]
# Our HTTP servers close a connection idle this long. A client of ours must drop idle connections
# sooner: at equal timeouts (httpx's and uvicorn's default, 5 s) a request sent just as the server
# closes the connection fails with a ReadError, which the soak saw as a 503 on a chat upload.
SERVER_KEEP_ALIVE_S = 5
CLIENT_KEEP_ALIVE_S = 2.0


class Health:
    """Named readiness checks; the process is ready when started, not stopping and every check passes."""

    # Checks run concurrently, each bounded, so /readyz answers inside a 2 s probe timeout.
    check_timeout_s = 1.5

    def __init__(self, service: str) -> None:
        self.service = service
        self._checks: dict[str, tuple[Check, float]] = {}
        self._cache: dict[str, tuple[float, str]] = {}
        self.started = False
        self.stopping = False

    def add(self, name: str, check: Check, *, every_s: float = 0.0) -> None:
        """Register a check that returns True when its dependency is usable.

        ``every_s`` > 0 reuses a result that long: for checks that log in to a server (SMTP, IMAP),
        which should not happen on every probe of every replica.
        """
        self._checks[name] = (check, every_s)

    async def _run(self, name: str, check: Check, every_s: float) -> str:
        cached = self._cache.get(name)
        if cached and time.monotonic() - cached[0] < every_s:
            return cached[1]
        try:
            outcome = check()
            if inspect.isawaitable(outcome):
                outcome = await asyncio.wait_for(outcome, timeout=self.check_timeout_s)
            result = "ok" if outcome else "failing"
        except Exception as exc:
            result = f"failing: {type(exc).__name__}"
        self._cache[name] = (time.monotonic(), result)
        return result

    async def report(self) -> tuple[bool, dict[str, Any]]:
        """(ready, details) after running every check."""
        # The state is read first: a start-up that finishes while the checks run may have added
        # checks this report did not run, so it must not yet say "running".
        state = "stopping" if self.stopping else "starting" if not self.started else "running"
        names = list(self._checks)
        outcomes = await asyncio.gather(*(self._run(name, *self._checks[name]) for name in names))
        results = dict(zip(names, outcomes, strict=True))
        ready = state == "running" and all(value == "ok" for value in results.values())
        return ready, {"service": self.service, "status": state, "checks": results}


def routes(health: Health) -> list[Route]:
    """/healthz (the process answers), /readyz (it can do its work) and /metrics."""

    async def healthz(_: Request) -> Response:
        return JSONResponse({"service": health.service, "status": "alive"})

    async def readyz(_: Request) -> Response:
        ready, details = await health.report()
        return JSONResponse(details, status_code=200 if ready else 503)

    async def prometheus(_: Request) -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return [
        Route("/healthz", healthz, include_in_schema=False),
        Route("/readyz", readyz, include_in_schema=False),
        Route("/metrics", prometheus, include_in_schema=False),
    ]


class EmbeddedServer(uvicorn.Server):
    """uvicorn inside our own event loop; our lifecycle, not uvicorn, owns the signals."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def start(self) -> None:
        """Serve in the background and return once the socket listens."""
        self._task = asyncio.create_task(self.serve(), name="http")
        while not self.started:
            if self._task.done():
                self._task.result()
                raise RuntimeError("HTTP server stopped during start-up")
            await asyncio.sleep(0.02)

    async def stop(self) -> None:
        """Stop accepting, finish open requests, and return when done."""
        self.should_exit = True
        await self._task


def embedded_server(app: Any, host: str, port: int) -> EmbeddedServer:
    """A uvicorn server for ``app`` that leaves logging and signals to us."""
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        lifespan="off",
        timeout_keep_alive=SERVER_KEEP_ALIVE_S,
    )
    return EmbeddedServer(config)


def ops_app(health: Health) -> Starlette:
    """The small HTTP app of a service that has no other HTTP surface."""
    return Starlette(routes=routes(health))

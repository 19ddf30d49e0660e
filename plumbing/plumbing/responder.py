"""Request-reply endpoints: typed requests in, typed replies or coded refusals out, concurrently."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.micro.request import ERROR_CODE_HEADER, ERROR_HEADER
from pydantic import ValidationError

from contracts import Envelope, Message
from plumbing import metrics
from plumbing.errors import DATABASE_AWAY, Invalid, ServiceError, Unavailable
from plumbing.logging import correlation, get_logger

log = get_logger(__name__)
R = TypeVar("R", bound=Message)
Handler = Callable[[R, Envelope], Awaitable[Message]]
DETAIL_HEADER = "Atende-Error-Detail"


def validation_errors(exc: ValidationError) -> list[dict[str, Any]]:
    """Field and reason of each validation failure, without echoing the input back."""
    return [{"field": ".".join(str(p) for p in err["loc"]), "reason": err["type"]} for err in exc.errors()]


class Endpoint(Generic[R]):
    """One subject answered by this process in its service's queue group, so replicas share work.

    Requests run as tasks (at most ``concurrency`` at once): one slow command does not hold up the
    others. A refusal is a reply carrying the NATS micro error headers with an HTTP-like code.
    """

    def __init__(
        self,
        nc: Client,
        name: str,
        subject: str,
        request_type: type[R],
        handler: Handler[R],
        *,
        queue: str,
        concurrency: int = 64,
    ) -> None:
        self.nc = nc
        self.name = name
        self.subject = subject
        self.request_type = request_type
        self.handler = handler
        self.queue = queue
        self._slots = asyncio.Semaphore(concurrency)
        # Looked up once: labels() costs more than the increment (other outcomes are rare).
        self._answered = metrics.REQUESTS.labels(name, "ok")
        self._seconds = metrics.REQUEST_SECONDS.labels(name)
        self._tasks: set[asyncio.Task[None]] = set()
        self._subscription: Subscription | None = None

    async def start(self) -> None:
        """Subscribe, and make sure the server knows before we report ready."""
        self._subscription = await self.nc.subscribe(self.subject, queue=self.queue, cb=self._on_message)
        # Another connection's request can overtake our SUB: flush so callers never see "no responders".
        # Twice: nats.py writes flush's PING straight to the socket, ahead of a SUB still queued for
        # its flusher task; by the first PONG the flusher has run, so the second PING follows the SUB.
        await self.nc.flush()
        await self.nc.flush()

    async def drain(self) -> None:
        """Stop taking requests, answer those already received, then return."""
        if self._subscription is not None:
            await self._subscription.drain()  # type: ignore[no-untyped-call]
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _on_message(self, msg: Msg) -> None:
        # Waiting for a slot here is the back-pressure: further requests queue in the subscription.
        await self._slots.acquire()
        task = asyncio.create_task(self._handle(msg))
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._slots.release()

    async def _handle(self, msg: Msg) -> None:
        started = time.perf_counter()
        outcome = "ok"
        try:
            incoming = Envelope.from_bytes(msg.data)
        except ValidationError as exc:
            metrics.REQUESTS.labels(self.name, "422").inc()
            await self._refuse(msg, Invalid("malformed_envelope", errors=validation_errors(exc)))
            return
        with correlation(incoming.correlation_id, message_id=incoming.message_id, endpoint=self.name):
            try:
                try:
                    request = self.request_type.model_validate(incoming.data)
                except ValidationError as exc:
                    raise Invalid("invalid_message", errors=validation_errors(exc)) from None
                result = await self.handler(request, incoming)
                reply = Envelope.wrap(
                    result, correlation_id=incoming.correlation_id, causation_id=incoming.message_id
                )
                await self._reply(msg, reply.to_bytes())
            except ServiceError as exc:
                outcome = exc.code
                await self._refuse(msg, exc)
            except DATABASE_AWAY as exc:
                # PostgreSQL restarting or unreachable: a clean, retryable refusal, not a 500.
                outcome = "503"
                log.warning("request.database_unavailable", error=repr(exc))
                await self._refuse(msg, Unavailable())
            except Exception:
                # Our bug or a dependency's failure: the caller learns nothing about the inside.
                outcome = "500"
                log.exception("request.failed")
                await self._refuse(msg, ServiceError("500", "internal_error"))
            finally:
                (self._answered if outcome == "ok" else metrics.REQUESTS.labels(self.name, outcome)).inc()
                self._seconds.observe(time.perf_counter() - started)

    async def _reply(self, msg: Msg, data: bytes, headers: dict[str, str] | None = None) -> None:
        # Not msg.respond(): it would echo the request's headers back to the caller.
        try:
            await self.nc.publish(msg.reply, data, headers=headers)
        except Exception as exc:
            log.warning("request.reply_failed", error=repr(exc))

    async def _refuse(self, msg: Msg, error: ServiceError) -> None:
        """Reply with the micro error headers; the detail travels as compact JSON (no newlines)."""
        try:
            detail = json.dumps(error.detail, separators=(",", ":"), ensure_ascii=True, default=str)
        except (TypeError, ValueError):
            detail = "{}"
        headers = {ERROR_CODE_HEADER: error.code, ERROR_HEADER: error.reason, DETAIL_HEADER: detail}
        await self._reply(msg, b"", headers)

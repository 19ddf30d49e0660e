"""The bus: NATS request-reply for commands and queries, JetStream for integration events."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

import nats
import nats.aio.msg
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import PubAck, StorageType, StreamConfig
from nats.js.errors import BadRequestError
from nats.micro import add_service
from nats.micro.request import ERROR_CODE_HEADER, ERROR_HEADER, Request
from nats.micro.service import Service, ServiceConfig
from pydantic import ValidationError

from contracts import Envelope, Message
from contracts.subjects import Stream
from plumbing import metrics
from plumbing.errors import Invalid, ServiceError
from plumbing.logging import (
    CORRELATION_HEADER,
    correlation,
    current_causation_id,
    current_correlation_id,
    get_logger,
)

log = get_logger(__name__)
M = TypeVar("M", bound=Message)
Handler = Callable[[Envelope], Awaitable[Message]]
DETAIL_HEADER = "Atende-Error-Detail"


class RemoteError(ServiceError):
    """A request-reply call was refused by the service that owns it."""


class Bus:
    """One NATS connection per process, with JetStream and a micro service for request-reply."""

    def __init__(self, nc: Client, name: str) -> None:
        self.nc = nc
        self.js: JetStreamContext = nc.jetstream()
        self.name = name
        self._services: list[Service] = []

    @classmethod
    async def connect(cls, url: str, name: str, *, connect_timeout: float = 30.0) -> Bus:
        """Connect, retrying until ``connect_timeout``; afterwards nats-py reconnects forever by itself."""

        async def on_error(exc: Exception) -> None:
            log.warning("nats.error", error=str(exc))

        async def on_disconnected() -> None:
            # Draining on shutdown also disconnects; only an unexpected loss is worth a warning.
            if nc.is_draining or nc.is_closed:
                log.info("nats.closed")
            else:
                log.warning("nats.disconnected")

        async def on_reconnected() -> None:
            log.info("nats.reconnected", url=str(nc.connected_url.geturl() if nc.connected_url else url))

        deadline = time.monotonic() + connect_timeout
        while True:
            try:
                nc = await nats.connect(
                    url,
                    name=name,
                    max_reconnect_attempts=-1,
                    reconnect_time_wait=1,
                    error_cb=on_error,
                    disconnected_cb=on_disconnected,
                    reconnected_cb=on_reconnected,
                )
                break
            except (OSError, nats.errors.NoServersError, TimeoutError) as exc:
                if time.monotonic() > deadline:
                    raise
                log.warning("nats.connect_retry", url=url, error=str(exc))
                await asyncio.sleep(1)
        log.info("nats.connected", url=url)
        return cls(nc, name)

    @property
    def connected(self) -> bool:
        """True while the connection is up (not reconnecting or closed)."""
        return bool(self.nc.is_connected)

    async def ensure_streams(self, streams: Iterable[Stream]) -> None:
        """Create each stream, or bring an existing one to the configuration in contracts."""
        for stream in streams:
            config = StreamConfig(
                name=stream.name,
                subjects=list(stream.subjects),
                description=stream.description,
                storage=StorageType.FILE,
                max_age=stream.max_age_days * 86400.0,
                duplicate_window=float(stream.duplicate_window_s),
            )
            try:
                await self.js.add_stream(config)
            except BadRequestError:
                # Already there with another configuration (e.g. an older release): update in place.
                await self.js.update_stream(config)

    async def publish(self, subject: str, message: Message, *, message_id: str | None = None) -> PubAck:
        """Publish a fact to JetStream in a new envelope that inherits the current correlation."""
        envelope = Envelope.wrap(
            message,
            message_id=message_id,
            correlation_id=current_correlation_id(),
            causation_id=current_causation_id(),
        )
        return await self.publish_envelope(subject, envelope)

    async def publish_envelope(self, subject: str, envelope: Envelope) -> PubAck:
        """Publish an envelope with ``Nats-Msg-Id`` so JetStream drops a repeat inside its window."""
        headers = {"Nats-Msg-Id": envelope.message_id, CORRELATION_HEADER: envelope.correlation_id}
        ack = await self.js.publish(subject, envelope.to_bytes(), headers=headers)
        metrics.PUBLISHED.labels(subject, str(bool(ack.duplicate)).lower()).inc()
        return ack

    async def request(self, subject: str, message: Message, reply: type[M], *, timeout: float = 5.0) -> M:
        """Send a command or query and return the typed reply; raises RemoteError on a refusal."""
        envelope = Envelope.wrap(
            message, correlation_id=current_correlation_id(), causation_id=current_causation_id()
        )
        headers = {CORRELATION_HEADER: envelope.correlation_id}
        response = await self.nc.request(subject, envelope.to_bytes(), timeout=timeout, headers=headers)
        response_headers = response.headers or {}
        if ERROR_CODE_HEADER in response_headers:
            detail = json.loads(response_headers.get(DETAIL_HEADER, "{}") or "{}")
            raise RemoteError(
                response_headers[ERROR_CODE_HEADER], response_headers.get(ERROR_HEADER, ""), detail
            )
        return reply.model_validate(Envelope.from_bytes(response.data).data)

    async def add_service(self, version: str, description: str) -> Service:
        """Register this process as a NATS micro service (answers $SRV.PING/INFO/STATS)."""
        service = await add_service(
            self.nc, ServiceConfig(name=self.name, version=version, description=description)
        )
        self._services.append(service)
        await self.nc.flush()
        return service

    async def serve(self, service: Service, name: str, subject: str, handler: Handler) -> None:
        """Answer ``subject`` in the service's queue group; ServiceErrors become coded error replies."""

        async def endpoint(request: Request) -> None:
            started = time.perf_counter()
            outcome = "ok"
            try:
                incoming = Envelope.from_bytes(request.data)
            except ValidationError as exc:
                metrics.REQUESTS.labels(name, "invalid").inc()
                error = Invalid("malformed_envelope", errors=_errors(exc))
                await _respond_error(request, error)
                return
            with correlation(incoming.correlation_id, message_id=incoming.message_id, endpoint=name):
                try:
                    result = await handler(incoming)
                    reply = Envelope.wrap(
                        result, correlation_id=incoming.correlation_id, causation_id=incoming.message_id
                    )
                    await request.respond(reply.to_bytes())
                except ValidationError as exc:
                    outcome = "invalid"
                    await _respond_error(request, Invalid("invalid_message", errors=_errors(exc)))
                except ServiceError as exc:
                    outcome = exc.code
                    await _respond_error(request, exc)
                except Exception:
                    outcome = "500"
                    log.exception("request.failed")
                    await _respond_error(request, ServiceError("500", "internal_error"))
                finally:
                    metrics.REQUESTS.labels(name, outcome).inc()
                    metrics.REQUEST_SECONDS.labels(name).observe(time.perf_counter() - started)

        await service.add_endpoint(name=name, subject=subject, handler=endpoint)
        # The server must know the subscription before we report ready, or early callers see
        # "no responders" (another connection's request can overtake our SUB).
        await self.nc.flush()

    async def ping_services(self, wait: float = 0.5) -> list[dict[str, Any]]:
        """Every micro service instance that answers $SRV.PING within ``wait`` seconds."""
        inbox = self.nc.new_inbox()
        answers: list[dict[str, Any]] = []

        async def collect(msg: nats.aio.msg.Msg) -> None:
            with contextlib.suppress(ValueError):
                answers.append(json.loads(msg.data))

        subscription = await self.nc.subscribe(inbox, cb=collect)
        try:
            await self.nc.publish("$SRV.PING", b"", reply=inbox)
            await asyncio.sleep(wait)
        finally:
            await subscription.unsubscribe()
        return answers

    async def close(self) -> None:
        """Stop micro services, then drain: finish in-flight handlers and flush publishes."""
        for service in self._services:
            await service.stop()
        if not self.nc.is_closed:
            await self.nc.drain()


async def _respond_error(request: Request, error: ServiceError) -> None:
    # Headers cannot carry newlines: the detail travels as compact JSON.
    headers = {DETAIL_HEADER: json.dumps(error.detail, separators=(",", ":"), ensure_ascii=True)}
    await request.respond_error(error.code, error.reason, headers=headers)


def _errors(exc: ValidationError) -> list[dict[str, Any]]:
    """Field and reason of each validation failure, without echoing the input back."""
    return [{"field": ".".join(str(p) for p in err["loc"]), "reason": err["type"]} for err in exc.errors()]

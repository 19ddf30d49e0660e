"""The bus: NATS request-reply for commands and queries, JetStream for integration events."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import nats.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import PubAck, StorageType, StreamConfig
from nats.js.errors import APIError, BadRequestError
from nats.micro import add_service
from nats.micro.request import ERROR_CODE_HEADER, ERROR_HEADER
from nats.micro.service import Service, ServiceConfig

from contracts import Envelope, Message
from contracts.subjects import Stream
from plumbing import metrics
from plumbing.errors import ServiceError
from plumbing.logging import CORRELATION_HEADER, current_causation_id, current_correlation_id, get_logger
from plumbing.responder import DETAIL_HEADER, Endpoint, Handler, R

log = get_logger(__name__)
M = TypeVar("M", bound=Message)


# How often a request waiting for a reconnection looks whether the connection is back.
RECONNECT_POLL_S = 0.05


class RemoteError(ServiceError):
    """A request-reply call was refused by the service that owns it."""


class NotConnected(nats.errors.NoRespondersError):
    """NATS stayed away for a request's whole timeout, so the request was never sent: it had no effect.

    A NoRespondersError, so every caller already treats it as "no one can answer now" (503, retry).
    """

    def __str__(self) -> str:
        return "nats: not connected, the request was not sent"


def redact(url: str) -> str:
    """The URL without credentials, for logs."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


def stream_config(stream: Stream, *, replicas: int = 1) -> StreamConfig:
    """The JetStream configuration of a stream from contracts, kept on ``replicas`` servers."""
    if replicas < 1:
        raise ValueError(f"a stream needs at least one replica, not {replicas}")
    return StreamConfig(
        name=stream.name,
        subjects=list(stream.subjects),
        description=stream.description,
        storage=StorageType.FILE,
        num_replicas=replicas,
        max_age=stream.max_age_days * 86400.0,
        duplicate_window=float(stream.duplicate_window_s),
    )


class Bus:
    """One NATS connection per process: JetStream, request-reply endpoints and micro discovery."""

    def __init__(self, nc: Client, name: str) -> None:
        self.nc = nc
        self.js: JetStreamContext = nc.jetstream()
        self.name = name
        self._services: list[Service] = []
        self._endpoints: list[Endpoint[Any]] = []

    @classmethod
    async def connect(cls, url: str, name: str, *, connect_timeout: float = 30.0) -> Bus:
        """Connect within ``connect_timeout`` (else TimeoutError); afterwards nats-py reconnects forever."""
        nc = Client()
        shown = redact(url)

        async def on_error(exc: Exception) -> None:
            log.warning("nats.error", error=str(exc))

        async def on_disconnected() -> None:
            # Draining on shutdown also disconnects; only an unexpected loss is worth a warning.
            if nc.is_draining or nc.is_closed:
                log.info("nats.closed")
            else:
                log.warning("nats.disconnected")

        async def on_reconnected() -> None:
            log.info("nats.reconnected", url=shown)

        try:
            await asyncio.wait_for(
                nc.connect(
                    url,
                    name=name,
                    connect_timeout=2,
                    max_reconnect_attempts=-1,
                    reconnect_time_wait=1,
                    error_cb=on_error,
                    disconnected_cb=on_disconnected,
                    reconnected_cb=on_reconnected,
                ),
                timeout=connect_timeout,
            )
        except BaseException:
            # Without this the client would go on retrying in the background.
            with contextlib.suppress(Exception):
                await nc.close()
            raise
        log.info("nats.connected", url=shown)
        return cls(nc, name)

    @property
    def connected(self) -> bool:
        """True while the connection is up (not reconnecting or closed)."""
        return bool(self.nc.is_connected)

    async def ensure_streams(self, streams: Iterable[Stream], *, replicas: int = 1) -> None:
        """Create each stream, or bring an existing one to the configuration in contracts.

        ``replicas`` above 1 needs a JetStream cluster: a single server refuses to create such a
        stream (``ServerError`` 10074), which is logged with the stream and re-raised.
        """
        for stream in streams:
            config = stream_config(stream, replicas=replicas)
            try:
                await self.js.add_stream(config)
            except BadRequestError:
                # Already there with another configuration (e.g. an older release): update in place.
                await self.js.update_stream(config)
            except APIError as exc:
                log.error("bus.stream_refused", stream=stream.name, replicas=replicas, error=exc.description)
                raise

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

    async def publish_many(
        self, publications: Sequence[tuple[str, Envelope]], *, timeout: float = 5.0
    ) -> list[PubAck]:
        """Publish envelopes in order, all in flight at once, and wait for every PubAck.

        The PUBs leave in the given order (the stream stores them so); the acks are awaited together,
        within ``timeout``: one wait per batch instead of a task and a timer per message. Raises the
        first failure (a missing stream, a refusal, a timeout); the acks still outstanding are then
        no longer awaited, so a caller that retries republishes (deduplicated by ``Nats-Msg-Id``).
        """
        pending: list[asyncio.Future[PubAck]] = []
        try:
            for subject, envelope in publications:
                headers = {"Nats-Msg-Id": envelope.message_id, CORRELATION_HEADER: envelope.correlation_id}
                pending.append(await self.js.publish_async(subject, envelope.to_bytes(), headers=headers))
            acks: list[PubAck] = await asyncio.wait_for(asyncio.gather(*pending), timeout)
        except TimeoutError:
            raise nats.errors.TimeoutError from None
        finally:
            for future in pending:
                future.cancel()  # after a failure or timeout: no ack is awaited any longer (no-op if done)
        for (subject, _), ack in zip(publications, acks, strict=True):
            metrics.PUBLISHED.labels(subject, "true" if ack.duplicate else "false").inc()
        return acks

    async def request(self, subject: str, message: Message, reply: type[M], *, timeout: float = 5.0) -> M:
        """Send a command or query and return the typed reply; raises RemoteError on a refusal.

        While NATS is away the request waits up to ``timeout`` for the connection, then raises
        NotConnected without sending it. (nats-py would buffer it and send it on reconnection, maybe
        long after this call timed out: a command its caller was told had failed would still happen.)
        """
        envelope = Envelope.wrap(
            message, correlation_id=current_correlation_id(), causation_id=current_causation_id()
        )
        headers = {CORRELATION_HEADER: envelope.correlation_id}
        timeout = await self._connected_within(timeout)
        response = await self.nc.request(subject, envelope.to_bytes(), timeout=timeout, headers=headers)
        response_headers = response.headers or {}
        if ERROR_CODE_HEADER in response_headers:
            try:
                detail = json.loads(response_headers.get(DETAIL_HEADER) or "{}")
            except ValueError:
                detail = {}
            raise RemoteError(
                response_headers[ERROR_CODE_HEADER], response_headers.get(ERROR_HEADER, ""), detail
            )
        return reply.model_validate(Envelope.from_bytes(response.data).data)

    async def _connected_within(self, timeout: float) -> float:
        """Wait up to ``timeout`` for the connection to be up; the time left (NotConnected if it is not)."""
        if self.nc.is_connected:
            return timeout
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self.nc.is_connected:
            if self.nc.is_closed or loop.time() >= deadline:
                raise NotConnected
            await asyncio.sleep(RECONNECT_POLL_S)
        return max(deadline - loop.time(), RECONNECT_POLL_S)

    async def announce(self, version: str, description: str) -> Service:
        """Register this process as a NATS micro service, so it answers $SRV.PING/INFO/STATS."""
        service = await add_service(
            self.nc, ServiceConfig(name=self.name, version=version, description=description)
        )
        self._services.append(service)
        await self.nc.flush()
        return service

    async def serve(
        self, name: str, subject: str, request: type[R], handler: Handler[R], *, concurrency: int = 64
    ) -> None:
        """Answer ``subject`` in this service's queue group; see plumbing.responder.Endpoint."""
        endpoint = Endpoint(
            self.nc, name, subject, request, handler, queue=self.name, concurrency=concurrency
        )
        await endpoint.start()
        self._endpoints.append(endpoint)

    async def ping_services(self, wait: float = 0.5) -> list[dict[str, Any]]:
        """Every micro service instance that answers $SRV.PING within ``wait`` seconds."""
        inbox = self.nc.new_inbox()
        answers: list[dict[str, Any]] = []

        async def collect(msg: Msg) -> None:
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
        """Answer the requests already received, leave discovery, then drain and close the connection."""
        for endpoint in self._endpoints:
            await endpoint.drain()
        for service in self._services:
            await service.stop()
        if not self.nc.is_closed:
            await self.nc.drain()

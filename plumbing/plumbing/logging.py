"""structlog set-up: JSON lines in production, pretty on a terminal; correlation ids in every line."""

from __future__ import annotations

import logging
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import structlog

CORRELATION_HEADER = "X-Correlation-Id"

# The two ids are read on every publish and request, so they live in their own context variables
# (one lookup; structlog's would be found by scanning the whole context) and a processor puts
# them on every log line.
_CORRELATION_ID: ContextVar[str | None] = ContextVar("atende_correlation_id", default=None)
_MESSAGE_ID: ContextVar[str | None] = ContextVar("atende_message_id", default=None)


def _add_ids(logger: Any, method_name: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    if (correlation_id := _CORRELATION_ID.get()) is not None:
        event_dict.setdefault("correlation_id", correlation_id)
    if (message_id := _MESSAGE_ID.get()) is not None:
        event_dict.setdefault("message_id", message_id)
    return event_dict


def configure(service: str, level: str = "info", fmt: str = "auto") -> None:
    """Configure structlog and the standard library's logging for one process."""
    pretty = fmt == "console" or (fmt == "auto" and sys.stderr.isatty())
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        _add_ids,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Any = structlog.dev.ConsoleRenderer() if pretty else structlog.processors.JSONRenderer()
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            # Library log records (nats, uvicorn, psycopg) get the same shape and context.
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("uvicorn.access",):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(service=service)


def get_logger(name: str) -> Any:
    """A structlog logger named after the module."""
    return structlog.stdlib.get_logger(name)


def new_correlation_id() -> str:
    """A fresh id for a user action that starts here."""
    return str(uuid.uuid4())


def current_correlation_id() -> str | None:
    """The correlation id of the work in progress, if any."""
    return _CORRELATION_ID.get()


def current_causation_id() -> str | None:
    """The message id of the message being handled, if any."""
    return _MESSAGE_ID.get()


@contextmanager
def correlation(correlation_id: str | None, *, message_id: str | None = None, **more: Any) -> Iterator[str]:
    """Bind a correlation id (new if None), the message being handled and more context to every log
    line inside the block; the previous values come back after it."""
    cid = correlation_id or new_correlation_id()
    restore = [(_CORRELATION_ID, _CORRELATION_ID.set(cid))]
    if message_id is not None:
        restore.append((_MESSAGE_ID, _MESSAGE_ID.set(message_id)))
    tokens = structlog.contextvars.bind_contextvars(**more) if more else None
    try:
        yield cid
    finally:
        if tokens is not None:
            structlog.contextvars.reset_contextvars(**tokens)
        for variable, token in reversed(restore):
            variable.reset(token)

"""structlog set-up: JSON lines in production, pretty on a terminal; correlation ids in every line."""

from __future__ import annotations

import logging
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import structlog

CORRELATION_HEADER = "X-Correlation-Id"


def configure(service: str, level: str = "info", fmt: str = "auto") -> None:
    """Configure structlog and the standard library's logging for one process."""
    pretty = fmt == "console" or (fmt == "auto" and sys.stderr.isatty())
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
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
    value = structlog.contextvars.get_contextvars().get("correlation_id")
    return str(value) if value else None


def current_causation_id() -> str | None:
    """The message id of the message being handled, if any."""
    value = structlog.contextvars.get_contextvars().get("message_id")
    return str(value) if value else None


@contextmanager
def correlation(correlation_id: str | None, **more: Any) -> Iterator[str]:
    """Bind a correlation id (new if None) and more context to every log line inside the block."""
    cid = correlation_id or new_correlation_id()
    with structlog.contextvars.bound_contextvars(correlation_id=cid, **more):
        yield cid

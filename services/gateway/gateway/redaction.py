"""Credentials out of uvicorn's log lines: it logs each socket's path with its query string, and a
customer's socket carries its resume token there (a socket cannot send headers)."""

from __future__ import annotations

import logging
import re

# token= (resume tokens, file links) and key= (rating links): the value goes, the name stays.
_SECRET_PARAM = re.compile(r"([?&](?:token|key)=)[^&\s\"']+")


def redact(text: str) -> str:
    """``text`` with the values of credential-carrying query parameters replaced."""
    return _SECRET_PARAM.sub(r"\1[redacted]", text)


class QuerySecrets(logging.Filter):
    """Redacts a record's message and string arguments; never drops the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True


def install(logger_name: str = "uvicorn.error") -> None:
    """Filter the logger uvicorn writes its WebSocket lines to (once per process)."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, QuerySecrets) for f in logger.filters):
        logger.addFilter(QuerySecrets())

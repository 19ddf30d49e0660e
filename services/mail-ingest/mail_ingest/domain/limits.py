"""Bounds on what one mail may cost to read, so that no mail can stall the mailbox behind it.

CPython's header parser (``email._header_value_parser``) takes time quadratic in a header's length
on some inputs (quotes, commas, backslashes: 2,000 quotes in a Content-Type cost ~0.3 s, 16,000
cost 11 s), and ``get_content_type()`` parses Content-Type again on every call. The policy below is
``email.policy.default`` with two changes made where the library lets a policy decide how a header
is read: a header value is cut to ``HEADER_LIMIT`` characters (RFC 5322's line length) before it is
parsed, and a parsed header is reused. Postfix does the same kind of thing with
``header_size_limit`` and ``mime_nesting_limit``; mail beyond ``MAX_PARTS`` or ``MAX_DEPTH`` is
quarantined, not read.
"""

from __future__ import annotations

import functools
import re
from email.message import EmailMessage, Message
from email.policy import EmailPolicy
from typing import TYPE_CHECKING, Any

HEADER_LIMIT = 998  # characters of one header value that are parsed (RFC 5322 §2.1.1)
MAX_PARTS = 500  # MIME parts in one mail, attached messages' parts included
MAX_DEPTH = 50  # multiparts and attached messages nested in one another
_DELIMITERS = re.compile(rb"^--", re.MULTILINE)  # every MIME part starts on such a line
_MULTIPART = re.compile(rb"^content-type:\s*multipart/", re.MULTILINE | re.IGNORECASE)


if TYPE_CHECKING:
    _Default = EmailPolicy[EmailMessage]  # what policy.default makes: EmailMessage objects
else:
    _Default = EmailPolicy  # not subscriptable at run time


class BoundedPolicy(_Default):
    """``policy.default`` that parses at most ``HEADER_LIMIT`` characters of a header, once."""

    def header_fetch_parse(self, name: str, value: str) -> Any:
        """The parsed header (see ``EmailPolicy``), from its first ``HEADER_LIMIT`` characters."""
        if hasattr(value, "name"):
            return value
        return _parsed(name, value[:HEADER_LIMIT])


POLICY = BoundedPolicy()


@functools.lru_cache(maxsize=256)
def _parsed(name: str, value: str) -> Any:
    # Header objects are immutable strings: one parse serves every later read of the same header.
    # Reads repeat within one mail, rarely across mails: a small cache (a parsed header is ~14 KB).
    return EmailPolicy.header_fetch_parse(POLICY, name, value)


def too_many_delimiters(raw: bytes) -> bool:
    """A cheap look before parsing: a multipart mail with more part delimiters than ``MAX_PARTS`` allows.

    Parsing costs ~0.5 ms a part, and a 25 MB mail holds two million empty ones; every part starts
    with a ``--`` line, so counting those lines bounds the parts without parsing them.
    """
    return _MULTIPART.search(raw) is not None and len(_DELIMITERS.findall(raw)) > 2 * MAX_PARTS + 2


def shape_problem(message: Message) -> str | None:
    """``too_many_parts:N>limit`` or ``too_deep:N>limit`` for a mail beyond the bounds, else None.

    Walked with a list, not recursion: the nesting is what is being checked.
    """
    parts = 0
    stack: list[tuple[Message, int]] = [(message, 0)]
    while stack:
        part, depth = stack.pop()
        parts += 1
        if parts > MAX_PARTS:
            return f"too_many_parts:>{MAX_PARTS}"
        if depth > MAX_DEPTH:
            return f"too_deep:>{MAX_DEPTH}"
        payload = part.get_payload()
        if part.is_multipart() and isinstance(payload, list):
            stack.extend((sub, depth + 1) for sub in payload if isinstance(sub, Message))
    return None

"""Maildir delivery for the dev SMTP server: every mail to outbox/, support mail also to support/."""

from __future__ import annotations

import mailbox
import re
from collections.abc import Sequence
from pathlib import Path

from devstack.perms import give_to_mail_user, grant_traverse

OUTBOX = "outbox"
SUPPORT = "support"

_RETURN_PATH = re.compile(rb"^Return-Path:.*\n(?:[ \t].*\n)*", re.IGNORECASE | re.MULTILINE)


def open_maildir(path: Path) -> mailbox.Maildir:
    """Open (creating if needed) a Maildir that Dovecot, running as nobody, can read and write."""
    box = mailbox.Maildir(path, create=True)
    give_to_mail_user(path, path / "tmp", path / "new", path / "cur")
    return box


def _with_envelope_headers(content: bytes, mail_from: str, delivered_to: str | None) -> bytes:
    # Maildir files use LF line ends; Dovecot restores CRLF on the wire.
    text = content.replace(b"\r\n", b"\n")
    head, sep, body = text.partition(b"\n\n")
    # Like a real final-delivery MTA: the envelope sender replaces any Return-Path the client wrote,
    # so readers can rely on it (an empty one, <>, marks a bounce that must not be auto-answered).
    head = _RETURN_PATH.sub(b"", head + b"\n").rstrip(b"\n")
    sender = mail_from if mail_from and mail_from != "<>" else ""
    added = f"Return-Path: <{sender}>\n".encode()
    if delivered_to:
        added += f"Delivered-To: {delivered_to}\n".encode()
    return added + head + (sep or b"\n\n") + body


class MaildirDelivery:
    """Writes accepted SMTP messages into the Maildirs under root that Dovecot serves."""

    def __init__(self, root: Path, support_address: str) -> None:
        self.root = root
        self.support_address = support_address.strip().lower()
        root.mkdir(parents=True, exist_ok=True)
        grant_traverse(root)
        give_to_mail_user(root)
        self.outbox = open_maildir(root / OUTBOX)
        self.support = open_maildir(root / SUPPORT)

    def is_support(self, address: str) -> bool:
        """Tell whether an envelope recipient is the support address (case-insensitive)."""
        return address.strip().strip("<>").lower() == self.support_address

    def deliver(self, content: bytes, mail_from: str, rcpt_tos: Sequence[str]) -> list[Path]:
        """Store one message: always in outbox, and in support when it is among the recipients."""
        stored = [self._store(self.outbox, OUTBOX, _with_envelope_headers(content, mail_from, None))]
        if any(self.is_support(rcpt) for rcpt in rcpt_tos):
            message = _with_envelope_headers(content, mail_from, self.support_address)
            stored.append(self._store(self.support, SUPPORT, message))
        return stored

    def _store(self, box: mailbox.Maildir, folder: str, message: bytes) -> Path:
        # Maildir.add writes into tmp/ and renames into new/, so a reader never sees half a message.
        key = box.add(message)
        stored = self.root / folder / "new" / key
        give_to_mail_user(stored)
        return stored

"""Development SMTP server that keeps every mail in Maildirs, and its process manager.

Run as a program: python -m devstack.smtp --port 2525 --maildir-root var/mail --support-address suporte@atende.local
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from devstack.mailbox import MaildirDelivery
from devstack.procs import ProcessServer, greets

DEFAULT_SUPPORT_ADDRESS = "suporte@atende.local"


class MaildirHandler:
    """aiosmtpd handler: accept any recipient and keep the message in the Maildirs."""

    def __init__(self, delivery: MaildirDelivery) -> None:
        self.delivery = delivery

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Store the message; a failure answers 451 so the sender retries instead of losing it."""
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        try:
            # Maildir writes are blocking file I/O: keep them off the SMTP event loop.
            await asyncio.to_thread(
                self.delivery.deliver, content, envelope.mail_from or "", list(envelope.rcpt_tos)
            )
        except OSError as exc:
            print(f"devstack.smtp: could not store message: {exc}", file=sys.stderr, flush=True)
            return "451 Requested action aborted: local error in processing"
        return "250 Message accepted for delivery"


def serve(host: str, port: int, maildir_root: Path, support_address: str) -> None:
    """Serve SMTP on host:port until SIGTERM or SIGINT."""
    from aiosmtpd.controller import Controller

    handler = MaildirHandler(MaildirDelivery(maildir_root, support_address))
    # An explicit server_hostname avoids a reverse-DNS lookup (slow or hanging without a network).
    controller = Controller(
        handler, hostname=host, port=port, server_hostname="atende-dev-smtp", enable_SMTPUTF8=True
    )
    stopping = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.set())
    controller.start()
    print(f"devstack.smtp: listening on {host}:{port}, mail kept in {maildir_root}", flush=True)
    try:
        stopping.wait()
    finally:
        controller.stop()
    print("devstack.smtp: stopped", flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m devstack.smtp", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--maildir-root", type=Path, required=True)
    parser.add_argument("--support-address", default=DEFAULT_SUPPORT_ADDRESS)
    args = parser.parse_args(argv)
    serve(args.host, args.port, args.maildir_root, args.support_address)


class DevSmtp(ProcessServer):
    """Runs `python -m devstack.smtp` as a managed process."""

    name = "smtp"

    def __init__(
        self,
        port: int,
        maildir_root: Path,
        support_address: str = DEFAULT_SUPPORT_ADDRESS,
        host: str = "127.0.0.1",
        log_file: Path | None = None,
        start_timeout: float = 15.0,
    ) -> None:
        super().__init__(log_file or maildir_root / "smtp.log", start_timeout)
        self.port = port
        self.maildir_root = maildir_root
        self.support_address = support_address
        self.host = host

    @property
    def readiness(self) -> str:
        """The SMTP greeting."""
        return "the SMTP 220 banner"

    def argv(self) -> list[str]:
        """This module run as a program."""
        return [
            sys.executable, "-m", "devstack.smtp",
            "--host", self.host,
            "--port", str(self.port),
            "--maildir-root", str(self.maildir_root.resolve()),
            "--support-address", self.support_address,
        ]  # fmt: skip

    def ready(self) -> bool:
        """Tell whether the server sends its 220 banner."""
        return greets(self.host, self.port, b"220")


if __name__ == "__main__":
    main()

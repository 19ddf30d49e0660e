"""An optional virus scan by clamd's INSTREAM command (blocking; called through a thread).

Hand-written: the protocol is four lines (a command, length-prefixed chunks, a zero chunk, one
answer line), and the PyPI clients for it are unmaintained.
"""

from __future__ import annotations

import socket
import struct
from pathlib import Path

CHUNK = 64 * 1024


class ScanFailed(Exception):
    """clamd could not be reached or answered something unexpected: the upload is not accepted."""


def scan(address: str, path: Path, timeout_s: float = 30.0) -> str | None:
    """The threat clamd names in the file, or None when it is clean."""
    host, _, port = address.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=timeout_s) as conn, path.open("rb") as data:
            conn.sendall(b"zINSTREAM\0")
            while chunk := data.read(CHUNK):
                conn.sendall(struct.pack(">I", len(chunk)) + chunk)
            conn.sendall(struct.pack(">I", 0))
            answer = b""
            while not answer.endswith(b"\0") and (part := conn.recv(4096)):
                answer += part
    except OSError as exc:
        raise ScanFailed(repr(exc)) from exc
    text = answer.rstrip(b"\0").decode("utf-8", "replace")  # "stream: OK" / "stream: Eicar-Test FOUND"
    if text.endswith(" OK"):
        return None
    if text.endswith(" FOUND"):
        return text.removeprefix("stream: ").removesuffix(" FOUND")
    raise ScanFailed(text[:200])

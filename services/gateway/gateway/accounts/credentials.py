"""Secrets we hand out (stored only as SHA-256 digests) and passwords (argon2id, off the event loop)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

API_TOKEN_PREFIX = "atd_"  # noqa: S105 - recognisable by secret scanners and in logs that should not hold it


def new_secret(prefix: str = "") -> str:
    """A fresh random credential: 256 bits, URL-safe."""
    return prefix + secrets.token_urlsafe(32)


def digest(raw: str) -> bytes:
    """The SHA-256 of a credential: what the database keeps and looks up by."""
    return hashlib.sha256(raw.encode()).digest()


def same(given: str, expected: str) -> bool:
    """Constant-time equality of two strings."""
    return hmac.compare_digest(given.encode(), expected.encode())


class Passwords:
    """argon2id with OWASP's 19 MiB / 2 passes / 1 lane; a few hashes at a time bound memory and CPU."""

    def __init__(self, concurrency: int = 4) -> None:
        self._hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
        self._slots = asyncio.Semaphore(concurrency)
        # Made once, up front: checking an unknown address must cost what checking a known one does.
        self._dummy = self._hasher.hash(new_secret())

    async def hash(self, password: str) -> str:
        """The encoded hash of ``password``, computed in a worker thread."""
        async with self._slots:
            return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, encoded: str | None, password: str) -> bool:
        """True when ``password`` matches; with no account (None) a dummy hash takes the same time."""
        encoded = self._dummy if encoded is None else encoded
        async with self._slots:
            try:
                return await asyncio.to_thread(self._hasher.verify, encoded, password)
            except (VerificationError, InvalidHashError):
                return False

    def needs_rehash(self, encoded: str) -> bool:
        """True when ``encoded`` was made with other parameters than today's."""
        return self._hasher.check_needs_rehash(encoded)

"""Rate-limit rules (GCRA), the login back-off and which address a request comes from; no I/O here."""

from __future__ import annotations

import hashlib
import ipaddress
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Rule:
    """At most ``limit`` requests per ``period_s``, all at once or spread out; ``limit`` 0: no limit.

    Kept as GCRA (the generic cell rate algorithm): one "theoretical arrival time" per key, pushed
    ``interval_s`` further by every request allowed; a request is refused while that time is more than
    ``tolerance_s`` ahead of now. It behaves like a sliding window and needs no per-window rows.
    """

    name: str
    limit: int
    period_s: float

    @property
    def enabled(self) -> bool:
        """False when configured off (0)."""
        return self.limit > 0 and self.period_s > 0

    @property
    def interval_s(self) -> float:
        """How far each allowed request pushes the key's arrival time."""
        return self.period_s / self.limit

    @property
    def tolerance_s(self) -> float:
        """How far ahead the arrival time may be and a request still pass: the burst allowance."""
        return self.period_s - self.interval_s


def retry_after(wait_s: float) -> int:
    """Whole seconds for a Retry-After header: rounded up, never 0 (0 would invite an instant retry)."""
    return max(1, math.ceil(wait_s))


def backoff_s(failures: int, threshold: int, cap_s: float) -> float:
    """How long logging in stays refused after ``failures``: none below ``threshold``, then 1 s doubling."""
    if threshold <= 0 or failures < threshold:
        return 0.0
    return float(min(cap_s, 2.0 ** min(failures - threshold, 40)))


def networks(cidrs: Iterable[str]) -> tuple[Network, ...]:
    """Parsed CIDRs (a bare address is a /32 or /128); raises ValueError on a bad one."""
    return tuple(ipaddress.ip_network(cidr.strip(), strict=False) for cidr in cidrs)


def _parse(value: str) -> Address | None:
    try:
        return ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None


def _trusted(address: Address, trusted: Sequence[Network]) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address.version == net.version and address in net for net in trusted)


def client_address(peer: str | None, forwarded_for: Sequence[str], trusted: Sequence[Network]) -> str:
    """The address a request came from: the socket peer, unless the peer is a trusted proxy.

    Behind trusted proxies, X-Forwarded-For is read from the right (each proxy appends the address it
    saw) and the first entry not itself a trusted proxy is the client; anything left of it was written
    by the client and proves nothing. From an untrusted peer the header is ignored altogether.
    """
    found = _parse(peer or "")
    if found is None:
        return peer or "unknown"
    if not _trusted(found, trusted):
        return str(found)
    entries = [part for header in forwarded_for for part in header.split(",") if part.strip()]
    for entry in reversed(entries):
        hop = _parse(entry)
        if hop is None:
            break  # a trusted proxy never writes garbage: stop at the last address we can believe
        found = hop
        if not _trusted(hop, trusted):
            break
    return str(found)


def address_key(address: str) -> str:
    """The part of an address a limit counts: an IPv4 address, or an IPv6 address's /64.

    One IPv6 subscriber gets a whole /64, so counting single addresses would let them walk around
    every limit.
    """
    parsed = _parse(address)
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed) if parsed is not None else address


def email_key(normalised_email: str) -> str:
    """A login's account key: a digest, so the limits table never holds an address."""
    return hashlib.sha256(normalised_email.encode()).hexdigest()[:32]

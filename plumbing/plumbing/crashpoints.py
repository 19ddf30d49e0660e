"""Crash points: named lines where a test can make this process die by SIGKILL, a real kill -9.

Failpoints as FoundationDB and TiKV use them: the worst moments of an at-least-once pipeline (a
PubAck received but the position not saved, a mail sent but not recorded) are single lines that a
kill from outside hits only by luck. ``crashpoint("relay.after_puback")`` marks such a line. It does
nothing unless the environment variable ``ATENDE_CRASHPOINT`` names it: ``name`` dies on the first
hit, ``name@N`` on the N-th hit in this process. The process then writes one line to stderr and
sends itself SIGKILL: no ``finally``, no shutdown hook, no flush runs, exactly as in a lost pod.

Only tests set the variable (tests/e2e/test_worst_moment_kills.py). It is read once, on the first
call, never at import; unset, each call costs one cached lookup. It is deliberately not a setting:
no deployment should ever carry it.
"""

from __future__ import annotations

import functools
import os
import signal
import threading

VARIABLE = "ATENDE_CRASHPOINT"
_hits: dict[str, int] = {}
_lock = threading.Lock()  # projections hit their point from several threads


@functools.cache
def _armed() -> tuple[str, int] | None:
    """(point, hit to die on) from the environment, or None when no point is armed."""
    value = os.environ.get(VARIABLE, "").strip()
    if not value:
        return None
    name, _, nth = value.partition("@")
    return name, int(nth) if nth else 1


def crashpoint(name: str) -> None:
    """SIGKILL this process here if ``ATENDE_CRASHPOINT`` names this point (and this is its hit)."""
    armed = _armed()
    if armed is None or armed[0] != name:
        return
    with _lock:
        _hits[name] = hit = _hits.get(name, 0) + 1
    if hit == armed[1]:
        os.write(2, f"crashpoint {name}@{hit}: SIGKILL\n".encode())
        os.kill(os.getpid(), signal.SIGKILL)

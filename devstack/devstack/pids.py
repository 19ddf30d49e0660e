"""Process-table queries from Linux /proc: liveness, process groups, descendants."""

from __future__ import annotations

import os
from pathlib import Path


def group_alive(pgid: int) -> bool:
    """Tell whether any live (non-zombie) process is in process group pgid."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie member still counts for killpg; ignore groups made only of zombies.
    return any(_is_live_member(pid, pgid) for pid in _pids())


def _pids() -> list[int]:
    try:
        return [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]
    except OSError:
        return []


def _stat_fields(pid: int) -> list[str] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Fields after the parenthesised command name: state, ppid, pgrp, ...
    return stat.rsplit(")", 1)[1].split()


def _is_live_member(pid: int, pgid: int) -> bool:
    fields = _stat_fields(pid)
    return fields is not None and int(fields[2]) == pgid and fields[0] != "Z"


def process_alive(pid: int) -> bool:
    """Tell whether pid exists and is not a zombie (Linux /proc)."""
    fields = _stat_fields(pid)
    return fields is not None and fields[0] != "Z"


def descendants(pid: int) -> set[int]:
    """Live processes below pid (children, grandchildren, ...)."""
    parents = {}
    for other in _pids():
        fields = _stat_fields(other)
        if fields is not None and fields[0] != "Z":
            parents[other] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found

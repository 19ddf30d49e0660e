"""How long a queued customer should expect to wait (shown beside their queue position)."""

from __future__ import annotations

import math

# Time-to-accept assumed for a department with no accepts to learn from yet.
DEFAULT_ACCEPT_S = 60.0


def estimated_wait_s(position: int, average_accept_s: float | None, agents_online: int) -> int:
    """``average time-to-accept × ceil(position / agents online)``.

    The average is the department's recent time from queued to accepted; agents online take the
    queue's head in parallel, so every ``agents_online`` places ahead cost about one average wait.
    """
    average = DEFAULT_ACCEPT_S if average_accept_s is None else max(0.0, average_accept_s)
    rounds = math.ceil(max(1, position) / max(1, agents_online))
    return round(average * rounds)

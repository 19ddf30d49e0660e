"""ticket_counts: how many tickets each department holds in each status, moved batch by batch."""

from __future__ import annotations

from collections import Counter
from typing import Any
from uuid import UUID

COUNT = """
INSERT INTO ticket_counts (department, status, count)
SELECT department, status, count FROM jsonb_to_recordset(%s::jsonb) AS r(department text, status text, count integer)
ON CONFLICT (department, status) DO UPDATE SET count = ticket_counts.count + EXCLUDED.count
"""


def moves(
    opened: dict[UUID, dict[str, Any]],
    patches: dict[UUID, dict[str, Any]],
    before: dict[UUID, tuple[str, str]],
) -> list[dict[str, Any]]:
    """A batch's changes to ticket_counts: +1 where a ticket is now, -1 where it was.

    ``opened``: summary rows of tickets opened in the batch; ``patches``: the others' rows after it;
    ``before``: their (department, status) before it ('' for no department).
    """
    moved: Counter[tuple[str, str]] = Counter()
    for row in opened.values():
        moved[row["department"] or "", row["status"]] += 1
    for ticket, row in patches.items():
        if ticket in before and row["status"] != before[ticket][1]:
            department, status = before[ticket]
            moved[department, status] -= 1
            moved[department, row["status"]] += 1
    return [{"department": d, "status": s, "count": n} for (d, s), n in moved.items() if n]

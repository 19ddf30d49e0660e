"""The chat writer wakes the views' background loop only for saves the views did not come along with."""

from __future__ import annotations

import asyncio

from chat.entrypoints.batching import Behind


class Views:
    """A projector as ``Behind`` sees it: its position, and how often it was woken."""

    def __init__(self, position: int) -> None:
        self.position = position
        self.woken = 0

    def nudge(self) -> None:
        self.woken += 1


async def test_a_save_the_views_came_along_with_wakes_nothing() -> None:
    views = Views(position=10)
    behind = Behind(views, every_s=0.01)
    for position in (8, 9, 10):
        behind(position)
    await asyncio.sleep(0.03)
    assert views.woken == 0, "each of these saves is already in the views"


async def test_saves_the_views_missed_wake_the_loop_coalesced() -> None:
    views = Views(position=10)
    behind = Behind(views, every_s=0.01)
    for position in (11, 12, 13):
        behind(position)
    assert views.woken == 1, "at once for the first"
    await asyncio.sleep(0.03)
    assert views.woken == 2, "and once more after the burst, never dropping the last"

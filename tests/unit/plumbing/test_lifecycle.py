"""A service process runs with the collector thresholds its settings name."""

import asyncio
import gc
from collections.abc import Iterator

import pytest

from plumbing.lifecycle import run
from tickets.config import Settings as TicketsSettings


@pytest.fixture
def thresholds() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


@pytest.mark.usefixtures("thresholds")
def test_the_process_collects_at_the_configured_thresholds(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[int, ...]] = []

    async def serve(stop: asyncio.Event) -> None:
        seen.append(gc.get_threshold())

    assert run("tickets", TicketsSettings(), serve) == 0
    assert seen == [(20_000, 20, 20)], "the default: rare full collections, not CPython's (700, 10, 10)"

    monkeypatch.setenv("ATENDE_TICKETS_GC_THRESHOLDS", "[700, 10, 10]")
    seen.clear()
    assert run("tickets", TicketsSettings(), serve) == 0
    assert seen == [(700, 10, 10)], "an operator can set them back"

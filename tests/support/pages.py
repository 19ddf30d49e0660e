"""Helpers of the browser tests: where screenshots go, a phone's screen, accessibility checks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page

# Every main screen, as the tests last saw it (README: "Screenshots").
SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"
PHONE = {"width": 390, "height": 844}
Shoot = Callable[[Page, str], Awaitable[None]]


async def accessibility_problems(tab: Page) -> list[str]:
    """axe-core's critical and serious violations on the page as it is now (empty: none)."""
    results = await Axe().run(tab)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]} — {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in {"critical", "serious"}
    ]

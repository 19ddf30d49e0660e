"""Browser tests: one running Atende per module, Debian's chromium, screenshots and accessibility checks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from playwright.async_api import Browser, BrowserContext, Page
from support import infra
from support.browser import chromium
from support.pages import SCREENSHOTS, Shoot
from support.site import Site, running


@pytest.fixture(scope="module")
async def site(servers: infra.Session, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Site]:
    root = tmp_path_factory.mktemp("site")
    async with running(root, servers.database("web"), servers.s3, servers.mail) as started:
        yield started


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as started:
        yield started


@pytest.fixture
async def new_context(
    browser: Browser, site: Site
) -> AsyncIterator[Callable[..., Awaitable[BrowserContext]]]:
    """Open browser contexts (a person each: own cookies and storage) on the site; all closed after."""
    opened: list[BrowserContext] = []

    async def open_one(**options: object) -> BrowserContext:
        context = await browser.new_context(base_url=site.url, locale="pt-BR", **options)  # type: ignore[arg-type]
        context.set_default_timeout(10_000)
        opened.append(context)
        return context

    yield open_one
    for context in opened:
        await context.close()


@pytest.fixture
async def page(new_context: Callable[..., Awaitable[BrowserContext]]) -> Page:
    """One person's tab, failing the test on any script error."""
    context = await new_context()
    tab = await context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.script_errors = errors  # type: ignore[attr-defined]
    return tab


@pytest.fixture
def shoot(request: pytest.FixtureRequest) -> Shoot:
    """Save a full-page screenshot of a main screen as SCREENSHOTS/<name>.png."""

    async def take(tab: Page, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await tab.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)

    return take

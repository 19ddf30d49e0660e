"""A page refused by a rate limit says so plainly, with when to try again (this module's site limits)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Page, expect
from support import infra
from support.accounts import PASSWORD
from support.site import Site, running


@pytest.fixture(scope="module")
async def site(servers: infra.Session, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Site]:
    """Atende with one sign-up an hour per IP (every other site in the tests runs without limits)."""
    root = tmp_path_factory.mktemp("limited-site")
    limited = {"rate_limits": True, "sign_ups_per_ip_hour": 1}
    async with running(root, servers.database("limited"), servers.s3, servers.mail, **limited) as started:
        yield started


async def test_a_second_sign_up_from_the_same_ip_is_told_when_to_retry(page: Page) -> None:
    for attempt in range(2):
        await page.goto("/signup")
        await page.get_by_label("Nome").fill("Gil")
        await page.get_by_label("E-mail").fill(f"gil-{uuid.uuid4().hex[:6]}@example.com")
        await page.get_by_label("Senha").fill(PASSWORD)
        await page.get_by_role("button", name="Criar conta").click()
        if attempt == 0:
            await expect(page.locator("#signed-up")).to_be_visible()
    alert = page.get_by_role("alert")
    await expect(alert).to_have_text("Muitas tentativas em pouco tempo. Tente de novo em 60 min.")
    assert page.script_errors == []  # type: ignore[attr-defined]

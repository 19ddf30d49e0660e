"""The support center's home, log-in and language switch in a real browser."""

from __future__ import annotations

import uuid

from playwright.async_api import Page, expect
from support.accounts import PASSWORD
from support.pages import PHONE, Shoot, accessibility_problems
from support.site import Site


async def test_the_home_offers_sign_up_log_in_and_chat_in_portuguese_then_english(
    page: Page, shoot: Shoot
) -> None:
    await page.goto("/")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Como podemos ajudar?")
    for name in ("Cadastrar-se", "Entrar", "Iniciar conversa"):
        await expect(page.get_by_role("link", name=name, exact=True).first).to_be_visible()
    assert await accessibility_problems(page) == []
    await shoot(page, "home")

    await page.get_by_role("link", name="English").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("How can we help?")
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await page.goto("/login")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    assert page.script_errors == []  # type: ignore[attr-defined]


async def test_a_wrong_password_is_told_on_the_form_and_staff_land_on_the_console(
    page: Page, site: Site, shoot: Shoot
) -> None:
    email = f"ana-{uuid.uuid4().hex[:6]}@example.com"
    await site.agent(email, "Ana Agente", "Suporte")
    await page.set_viewport_size(PHONE)
    await page.goto("/login")
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Senha").fill("not the password")
    await page.get_by_role("button", name="Entrar").click()
    await expect(page.get_by_role("alert")).to_contain_text("senha incorretos")
    assert await accessibility_problems(page) == []
    await shoot(page, "login-refused-phone")

    await page.get_by_label("Senha").fill(PASSWORD)
    await page.get_by_role("button", name="Entrar").click()
    await page.wait_for_url("**/console**")
    assert page.script_errors == []  # type: ignore[attr-defined]

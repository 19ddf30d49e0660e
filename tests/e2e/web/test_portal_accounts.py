"""The portal's account pages: sign-up refusals, a bad confirmation link, a forgotten password."""

from __future__ import annotations

import uuid

from playwright.async_api import Page, expect
from support.accounts import PASSWORD
from support.pages import PHONE, Shoot, accessibility_problems
from support.site import Site

NEW_PASSWORD = "outra senha bem longa"


async def test_sign_up_refusals_land_on_their_fields(page: Page, shoot: Shoot) -> None:
    await page.set_viewport_size(PHONE)
    await page.goto("/signup")
    await page.get_by_label("Nome").fill("Gil")
    await page.get_by_label("E-mail").fill("not an address")
    await page.get_by_label("Senha").fill("12345")
    await page.get_by_role("button", name="Criar conta").click()
    await expect(page.locator("#email-error")).to_have_text("Endereço de email inválido.")
    await expect(page.locator("#password-error")).to_have_text(
        "A senha precisa ter pelo menos 10 caracteres."
    )
    await expect(page.get_by_label("E-mail")).to_have_attribute("aria-invalid", "true")
    assert await accessibility_problems(page) == []
    await shoot(page, "portal-signup-errors-phone")
    assert page.script_errors == []  # type: ignore[attr-defined]


async def test_a_bad_or_missing_confirmation_link_is_told_plainly(page: Page) -> None:
    await page.goto("/verify-email#token=not-a-real-token")
    await expect(page.get_by_role("heading", name="Link inválido")).to_be_visible()
    await expect(page.get_by_text("inválido, já foi usado ou expirou")).to_be_visible()
    await page.goto("/verify-email")
    await expect(page.get_by_role("heading", name="Link inválido")).to_be_visible()
    assert await accessibility_problems(page) == []
    assert page.script_errors == []  # type: ignore[attr-defined]


async def test_a_forgotten_password_is_reset_through_the_emailed_link(
    page: Page, site: Site, shoot: Shoot
) -> None:
    email = f"ivo-{uuid.uuid4().hex[:6]}@example.com"
    signed = await page.request.post(
        "/api/v1/accounts", data={"name": "Ivo", "email": email, "password": PASSWORD}
    )
    assert signed.ok

    await page.goto("/login")
    await page.get_by_role("link", name="Esqueci minha senha").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Redefinir senha")
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_role("button", name="Enviar link").click()
    await expect(page.get_by_text(f"Se houver uma conta com o e-mail {email}")).to_be_visible()
    assert await accessibility_problems(page) == []
    await shoot(page, "portal-reset-sent")

    # The development aid and the mailed link are the same link; open it in this tab.
    mailed = await site.mailed_link(email, "Redefina sua senha")
    dev_link = await page.get_by_role("link", name="abrir o link de redefinição enviado").get_attribute(
        "href"
    )
    assert dev_link == mailed
    await page.get_by_role("link", name="abrir o link de redefinição enviado").click()
    await expect(page.get_by_label("Nova senha", exact=True)).to_be_visible()
    assert "token" not in page.url
    await page.get_by_label("Nova senha", exact=True).fill(NEW_PASSWORD)
    await page.get_by_label("Repita a nova senha").fill("outra coisa")
    await page.get_by_role("button", name="Salvar nova senha").click()
    await expect(page.locator("#repeat-error")).to_have_text("As senhas não são iguais.")
    await page.get_by_label("Repita a nova senha").fill(NEW_PASSWORD)
    assert await accessibility_problems(page) == []
    await shoot(page, "portal-reset-password")
    await page.get_by_role("button", name="Salvar nova senha").click()
    await expect(page.get_by_text("Senha alterada.")).to_be_visible()

    await page.get_by_role("link", name="Entrar", exact=True).click()
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Senha").fill(NEW_PASSWORD)
    await page.get_by_role("button", name="Entrar").click()
    await page.wait_for_url("**/tickets")
    # A reset proves the address too: no "confirm your email" note.
    await expect(page.get_by_role("heading", level=1)).to_have_text("Solicitações")
    await expect(page.locator("#unverified-note")).to_have_count(0)

    # The link is single use.
    await page.goto(mailed)
    await page.get_by_label("Nova senha", exact=True).fill("mais uma senha longa")
    await page.get_by_label("Repita a nova senha").fill("mais uma senha longa")
    await page.get_by_role("button", name="Salvar nova senha").click()
    await expect(page.locator("#link-spent-text")).to_have_text(
        "Este link é inválido, já foi usado ou expirou."
    )
    await page.get_by_role("link", name="Pedir um novo link").click()
    await expect(page.get_by_role("button", name="Enviar link")).to_be_visible()
    assert page.script_errors == []  # type: ignore[attr-defined]

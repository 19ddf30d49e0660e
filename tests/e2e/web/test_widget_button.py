"""The support button (W3): one script line in a company's product opens the chat and the portal."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.async_api import Page, expect
from support import infra
from support.pages import Shoot
from support.site import Site, running

from devstack.procs import free_port

# A company's product: whatever page the test sets, with the snippet in it.
_product = {"html": ""}


class _Product(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = _product["html"].encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def shop() -> Iterator[str]:
    """The company's own site: another origin and another site than Atende's (localhost vs 127.0.0.1),
    on the loopback like Atende here, so the browser's private-network rules do not interfere."""
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _Product)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://localhost:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
async def site(
    servers: infra.Session, tmp_path_factory: pytest.TempPathFactory, shop: str
) -> AsyncIterator[Site]:
    """Atende allowing the company's site to embed the chat (CHAT_ORIGINS)."""
    root = tmp_path_factory.mktemp("site")
    async with running(
        root, servers.database("web"), servers.s3, servers.mail, chat_origins=(shop,)
    ) as started:
        yield started


async def test_the_demo_page_opens_the_chat_and_the_portal_from_the_button(
    page: Page, site: Site, shoot: Shoot
) -> None:
    await page.goto("/demo")
    await expect(page.get_by_role("heading", name="Painel", exact=True)).to_be_visible()
    button = page.get_by_role("button", name="Suporte")
    await expect(button).to_have_attribute("aria-expanded", "false")
    assert await button.evaluate("b => getComputedStyle(b).position") == "fixed"  # its styles applied

    # Keyboard: reach it, open it, work in the chat, leave with Escape back on the button.
    await button.focus()
    await page.keyboard.press("Enter")
    panel = page.get_by_role("dialog", name="Atendimento")
    await expect(panel).to_be_visible()
    await expect(button).to_have_attribute("aria-expanded", "true")
    await expect(panel.get_by_role("link", name="Minhas solicitações")).to_have_attribute(
        "href", f"{site.url}/tickets"
    )
    chat = page.frame_locator("iframe[title='Chat de atendimento']")
    await expect(chat.get_by_role("heading", name="Como podemos ajudar?")).to_be_visible()
    await expect(chat.locator("#start-department-status")).to_contain_text("ninguém online", ignore_case=True)
    await expect(page.locator(".topbar")).to_have_count(0)
    await shoot(page, "widget-demo-panel")

    await chat.locator("#start-name").focus()
    await page.keyboard.press("Escape")
    await expect(panel).to_be_hidden()
    await expect(button).to_be_focused()
    await page.get_by_role("button", name="Suporte").click()
    await expect(chat.get_by_role("heading", name="Como podemos ajudar?")).to_be_visible()
    await page.get_by_role("button", name="Minimizar o atendimento").click()
    await expect(panel).to_be_hidden()
    assert page.script_errors == []  # type: ignore[attr-defined]


async def test_the_snippet_works_on_another_site_without_touching_its_styles(
    page: Page, site: Site, shop: str
) -> None:
    _product["html"] = f"""<!doctype html><html lang="pt-BR"><head><title>Loja</title>
    <style>button {{ background: red !important; font-size: 40px !important; }} body {{ font-family: serif; }}</style>
    </head><body><h1>Minha loja</h1><button type="button">Comprar</button>
    <script src="{site.url}/support.js" async></script></body></html>"""

    await page.goto(f"{shop}/painel")
    button = page.get_by_role("button", name="Suporte")
    await expect(button).to_be_visible()
    # The company's styles do not reach the button, and the button's do not reach the company's.
    assert await button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(11, 92, 173)"
    buy = page.get_by_role("button", name="Comprar")
    assert await buy.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(255, 0, 0)"
    assert await page.evaluate("getComputedStyle(document.body).fontFamily") == "serif"

    await button.click()
    chat = page.frame_locator("iframe[title='Chat de atendimento']")
    form = chat.locator("#chat-start")
    await form.get_by_label("Nome").fill("Rita")
    await form.get_by_label("E-mail").fill("rita@example.com")
    await form.get_by_label("Sua pergunta").fill("O frete não calcula")
    await form.get_by_label("Departamento").select_option("Websites")
    await form.get_by_role("button", name="Iniciar conversa").click()
    # Nobody is online: the framed widget, on another site, offers to leave a message.
    await expect(chat.get_by_role("heading", name="Deixe uma mensagem")).to_be_visible()
    assert page.script_errors == []  # type: ignore[attr-defined]


async def test_the_script_page_and_frame_headers(page: Page, site: Site, shop: str) -> None:
    script = await page.request.get(f"{site.url}/support.js")
    assert script.ok
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert script.headers["cache-control"] == "public, max-age=300"
    body = await script.text()
    assert "ATENDE_TEXTS" not in body and "Minimizar o atendimento" in body

    framed = await page.request.get(f"{site.url}/chat?embed=1")
    assert framed.headers["content-security-policy"].endswith(f"frame-ancestors 'self' {shop}")
    # The panel speaks the product's language (support.js passes it), whatever the browser's.
    english = await page.request.get(f"{site.url}/chat?embed=1&lang=en", headers={"Accept-Language": "pt-BR"})
    assert "How can we help?" in await english.text()
    alone = await page.request.get(f"{site.url}/chat")
    assert alone.headers["content-security-policy"].endswith("frame-ancestors 'self'")

    await page.goto("/support-button")
    await expect(page.get_by_role("heading", name="Botão de suporte")).to_be_visible()
    await expect(page.locator("#snippet")).to_have_text(
        f'<script src="{site.url}/support.js" async></script>'
    )
    await page.get_by_role("link", name="Ver a demonstração").click()
    await expect(page.get_by_role("button", name="Suporte")).to_be_visible()
    assert page.script_errors == []  # type: ignore[attr-defined]

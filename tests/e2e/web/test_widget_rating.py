"""Rating a chat in the widget (issue 7): the agent closes, the customer rates on the ended screen.

The agent's side is the console's socket, driven directly (helpers of test_widget_chat).
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from playwright.async_api import Page, expect
from support.pages import Shoot, accessibility_problems
from support.site import Site
from support.waiting import eventually
from test_widget_chat import agent_online, entry, start_in_the_browser

from contracts import Envelope
from contracts.subjects import CHAT
from plumbing.bus import Bus


async def rated_facts(site: Site, conversation_id: str) -> list[dict[str, Any]]:
    """The ChatRatedV1 facts of this chat on the site's CHAT stream."""
    bus = await Bus.connect(site.nats_url, f"test-{uuid.uuid4().hex[:6]}")
    try:
        info = await bus.js.stream_info(CHAT.name)
        found = []
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            raw = await bus.js.get_msg(CHAT.name, seq)
            data = Envelope.from_bytes(raw.data or b"{}").data
            if (raw.subject or "").endswith(".rated.v1") and data.get("conversation_id") == conversation_id:
                found.append(data)
        return found
    finally:
        await bus.close()


async def test_the_customer_rates_the_chat_the_agent_closed(page: Page, site: Site, shoot: Shoot) -> None:
    email = f"lia-{uuid.uuid4().hex[:6]}@example.com"
    async with agent_online(site, "Ana", "Suporte") as agent:
        await page.goto("/chat")
        await start_in_the_browser(page, "Lia", email, "Como emito a segunda via?", "Suporte")
        conversation_id = await agent.queued(email)
        await agent.send(type="accept", conversation_id=conversation_id)
        await agent.send(
            type="message", client_id="a1", text="Pronto, enviei", conversation_id=conversation_id
        )
        await agent.next(entry("message", conversation_id), "the agent's message")
        await expect(page.get_by_role("log").get_by_text("Pronto, enviei")).to_be_visible()
        await agent.send(type="close", conversation_id=conversation_id)

        await expect(page.get_by_role("heading", name="Atendimento encerrado")).to_be_visible()
        scale = page.get_by_role("group", name="Como foi o atendimento?")
        await expect(scale.get_by_role("radio")).to_have_count(5)
        send = page.get_by_role("button", name="Enviar avaliação")
        await send.click()  # nothing chosen yet
        await expect(page.locator("#chat-rating .form-alert")).to_have_text("Escolha uma nota de 1 a 5.")

        # The mouse picks 4, the keyboard moves on to 5: a real radio group.
        await scale.get_by_text("Bom", exact=True).click()
        await expect(scale.get_by_role("radio", name="4 Bom")).to_be_checked()
        await page.keyboard.press("ArrowRight")
        await expect(scale.get_by_role("radio", name="5 Excelente")).to_be_checked()
        await expect(scale.get_by_role("radio", name="5 Excelente")).to_be_focused()
        await page.get_by_label("Comentário (opcional)").fill("Resolveu rapidinho")
        await send.click()
        thanks = page.locator("#chat-rating").get_by_role("status")
        await expect(thanks).to_have_text("Obrigado pela sua avaliação!")
        await expect(scale.get_by_role("radio", name="5 Excelente")).to_be_checked()  # the choice stays
        await expect(send).to_be_hidden()
        await expect(page.locator("#chat-rating .form-alert")).to_be_hidden()
        assert await accessibility_problems(page) == []
        await shoot(page, "widget-rated")

        # The agent's API shows it; the fact reached NATS once, for the agent who had the chat.
        async with httpx.AsyncClient(base_url=site.url) as client:
            shown = await client.get(
                f"/api/v1/agent/chats/{conversation_id}", headers={"Authorization": f"Bearer {agent.token}"}
            )
        rating = shown.json()["conversation"]["rating"]
        assert (rating["score"], rating["comment"]) == (5, "Resolveu rapidinho")

        async def published() -> bool:
            return bool(await rated_facts(site, conversation_id))

        await eventually(published, what="ChatRatedV1 on NATS")
        [fact] = await rated_facts(site, conversation_id)
        assert (fact["score"], fact["comment"], fact["department"]) == (5, "Resolveu rapidinho", "Suporte")
        assert (
            fact["agent_id"] == shown.json()["conversation"]["agent_id"] and fact["customer_email"] == email
        )

        # A reload keeps the ended screen, and the rating on it; changing the mind sends again.
        await page.reload()
        await expect(page.get_by_role("heading", name="Atendimento encerrado")).to_be_visible()
        await expect(scale.get_by_role("radio", name="5 Excelente")).to_be_checked()
        await expect(page.get_by_label("Comentário (opcional)")).to_have_value("Resolveu rapidinho")
        await expect(thanks).to_have_text("Obrigado pela sua avaliação!")
        await scale.get_by_text("Regular", exact=True).click()
        await expect(thanks).to_be_empty()
        await expect(send).to_be_visible()
        await send.click()
        await expect(thanks).to_have_text("Obrigado pela sua avaliação!")

        async def replaced() -> bool:
            return [f["score"] for f in await rated_facts(site, conversation_id)] == [5, 3]

        await eventually(replaced, what="the second ChatRatedV1")

        await page.get_by_role("button", name="Fechar", exact=True).click()
        await expect(page.get_by_role("heading", name="Como podemos ajudar?")).to_be_visible()
    assert page.script_errors == []  # type: ignore[attr-defined]

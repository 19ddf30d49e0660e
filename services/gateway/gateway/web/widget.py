"""The chat widget (/chat, also framed by the support button), the button's script and its demo."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from gateway.auth import principal_if_any
from gateway.chat.access import origin_of
from gateway.dependencies import AccountsDep
from gateway.domain.language import ENGLISH, PORTUGUESE
from gateway.web.rendering import render, static_folder
from gateway.web.texts import catalogue

router = APIRouter(include_in_schema=False)

# A CSP source must be a bare origin: anything else in a setting could widen the policy.
_ORIGIN = re.compile(r"https?://[a-z0-9.-]+(:\d{1,5})?")
_BUTTON_TEXTS = "{} /* ATENDE_TEXTS */"
SCRIPT_MAX_AGE_S = 300  # short: a new release reaches the companies' pages within minutes


def frame_ancestors(settings: Any) -> str:
    """Who may frame the widget: this site and the companies' sites allowed to open chats."""
    allowed = [origin_of(o) for o in settings.chat_origins]
    return " ".join(["'self'", *sorted({o for o in allowed if _ORIGIN.fullmatch(o)})])


@router.get("/chat")
async def chat(
    request: Request,
    accounts: AccountsDep,
    embed: Annotated[str, Query(max_length=10)] = "",
    department: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """The widget: start form, leave a message, the queue, the conversation, the end."""
    settings = request.app.state.settings
    embedded = embed in ("1", "true")
    # Framed on another site the visitor's cookies do not come along; on ours, prefill the form.
    principal = None if embedded else await principal_if_any(request, accounts)
    return render(
        # The support button passes its page's language (?lang=, which LanguageMiddleware applies):
        # the panel speaks like the product around it.
        request,
        "widget/chat.html",
        title="widget_title",
        embeddable_by=frame_ancestors(settings) if embedded else "'self'",
        embedded=embedded,
        principal=principal,
        customer=principal if principal is not None and not principal.is_staff else None,
        departments=settings.departments,
        chosen=department if department in settings.departments else "",
        max_bytes=settings.chat_max_message_bytes,
    )


@cache
def _support_script() -> str:
    source = (Path(static_folder()) / "support.js").read_text(encoding="utf-8")
    texts = {
        language: {k: v for k, v in catalogue(language).items() if k.startswith("widget_button_")}
        for language in (PORTUGUESE, ENGLISH)
    }
    # The script runs on other sites' pages, so it carries its own words (no page texts there).
    return source.replace(_BUTTON_TEXTS, json.dumps(texts, ensure_ascii=False).replace("<", "\\u003c"))


@router.get("/support.js")
async def support_script() -> Response:
    """The support button: the one script a company adds to its product's pages (W3)."""
    return Response(
        _support_script(),
        media_type="text/javascript; charset=utf-8",
        headers={
            "Cache-Control": f"public, max-age={SCRIPT_MAX_AGE_S}",
            "X-Content-Type-Options": "nosniff",
            "Cross-Origin-Resource-Policy": "cross-origin",
        },
    )


@router.get("/support-button")
async def support_button(request: Request, accounts: AccountsDep) -> Response:
    """How a company adds the support button to its product."""
    principal = await principal_if_any(request, accounts)
    public_url = request.app.state.settings.public_url
    return render(
        request,
        "widget/install.html",
        title="widget_install_title",
        principal=principal,
        snippet=f'<script src="{public_url}/support.js" async></script>',
    )


@router.get("/demo")
async def demo(request: Request) -> Response:
    """A made-up company's product page with the snippet in it, exactly as a customer would paste it."""
    # The page's own origin, however it was reached, so the demo works even off the public URL.
    here = str(request.base_url).rstrip("/")
    return render(request, "widget/demo.html", title="widget_demo_title", script_src=f"{here}/support.js")

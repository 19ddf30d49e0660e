"""What people see: the portal, the chat widget, the support button and the agent console."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from gateway.web import console, console_chat, console_insights, pages, portal, widget
from gateway.web.rendering import ASSETS, static_folder


def install(app: FastAPI) -> None:
    """Serve the pages and their assets from ``app`` (after the API, so /api paths stay the API's)."""
    for area in (pages, portal, widget, console, console_chat, console_insights):
        app.include_router(area.router)
    app.mount(ASSETS, StaticFiles(directory=static_folder()), name="static")

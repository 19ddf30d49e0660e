"""The gateway's ASGI application."""

from fastapi import FastAPI

from gateway import VERSION, errors
from gateway.middleware import CorrelationMiddleware
from gateway.routers import system
from plumbing.bus import Bus
from plumbing.ops import Health, routes


def create_app(bus: Bus, health: Health) -> FastAPI:
    """Build the app around an already connected bus; no connection is made here."""
    app = FastAPI(title="Atende", version=VERSION, docs_url="/api/docs", openapi_url="/api/openapi.json")
    app.state.bus = bus
    app.add_middleware(CorrelationMiddleware)
    errors.install(app)
    app.router.routes.extend(routes(health))
    app.include_router(system.router)
    return app

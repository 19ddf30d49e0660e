"""The gateway's ASGI application."""

from fastapi import FastAPI

from gateway import VERSION, errors
from gateway.middleware import CorrelationMiddleware
from gateway.routers import system
from plumbing.bus import Bus


def create_app(bus: Bus) -> FastAPI:
    """Build the app around an already connected bus; no connection is made here."""
    app = FastAPI(title="Atende", version=VERSION, docs_url="/api/docs", openapi_url="/api/openapi.json")
    app.state.bus = bus
    errors.install(app)
    # The last added is the outermost: every line logged for a request, 500s included, has its id.
    app.add_middleware(errors.UnexpectedErrors)
    app.add_middleware(CorrelationMiddleware)
    app.include_router(system.router)
    return app

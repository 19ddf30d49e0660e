"""The gateway's ASGI application."""

import secrets

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from gateway import VERSION, errors, web
from gateway.accounts.service import Accounts
from gateway.chat.live import Hub
from gateway.chat.logins import SocketLogins
from gateway.chat.tokens import ResumeTokens
from gateway.config import Settings
from gateway.files.client import FilesClient
from gateway.middleware import CorrelationMiddleware, LanguageMiddleware
from gateway.ratelimit.limiter import Limiter
from gateway.routers import (
    accounts,
    admin_mail,
    attachments,
    chat,
    chat_files,
    colleagues,
    console_chat,
    console_tickets,
    insights,
    ratings,
    session,
    system,
    tickets,
)
from plumbing.bus import Bus
from plumbing.http_metrics import HttpMetrics
from plumbing.logging import get_logger

log = get_logger(__name__)


def create_app(
    bus: Bus,
    accounts_service: Accounts | None = None,
    files: FilesClient | None = None,
    settings: Settings | None = None,
) -> FastAPI:
    """Build the app around an already connected bus and accounts service; no connection is made here."""
    app = FastAPI(title="Atende", version=VERSION, docs_url="/api/docs", openapi_url="/api/openapi.json")
    app.state.bus = bus
    app.state.accounts = accounts_service  # None: the routes that need accounts answer 503
    app.state.files = files  # None: attachments answer 503
    app.state.settings = settings or (accounts_service.settings if accounts_service else Settings())
    app.state.chat_tokens = chat_tokens(app.state.settings)
    # Limits count in the accounts' database, shared by every replica (none without one: some tests).
    app.state.limiter = Limiter(accounts_service.pool, app.state.settings) if accounts_service else None
    app.state.chat_hub = Hub(bus)  # one live subscription per subject, shared by this process's sockets
    app.state.socket_logins = SocketLogins()  # staff sockets by credential: log-out closes them
    errors.install(app)
    # The last added is the outermost: every line logged for a request, 500s included, has its id.
    app.add_middleware(errors.UnexpectedErrors)
    app.add_middleware(LanguageMiddleware)
    app.add_middleware(CorrelationMiddleware)
    app.add_middleware(HttpMetrics)  # outermost: it times everything, error pages included
    app.include_router(system.router)
    app.include_router(accounts.router)
    app.include_router(session.router)
    app.include_router(attachments.customer)
    app.include_router(tickets.router)
    app.include_router(ratings.router)
    app.include_router(attachments.agent)
    app.include_router(console_tickets.router)
    app.include_router(chat.router)
    app.include_router(chat_files.router)
    app.include_router(console_chat.router)
    app.include_router(colleagues.router)
    app.include_router(insights.router)
    app.include_router(admin_mail.router)
    web.install(app)

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi_at_the_root() -> JSONResponse:
        """The same document at the root, where tools and people look for it first."""
        return JSONResponse(app.openapi())

    return app


def chat_tokens(settings: Settings) -> ResumeTokens:
    """Resume tokens signed with the configured secret (or, without one, a secret of this process)."""
    secret = settings.chat_secret.get_secret_value()
    if not secret:
        log.warning(
            "gateway.chat_secret_missing", detail="resume tokens die with this process; set CHAT_SECRET"
        )
        secret = secrets.token_urlsafe(32)
    return ResumeTokens(secret, settings.chat_resume_window_s)

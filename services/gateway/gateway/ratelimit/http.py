"""What routers call: limit a request by its client IP or by its account, before doing anything."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from gateway.domain.accounts import normalise_email
from gateway.domain.limits import address_key, client_address, email_key
from gateway.ratelimit.limiter import Limiter, LoginAttempt


def _limiter(request: HTTPConnection) -> Limiter | None:
    # None in an app built without a database (some tests): nothing to count in, nothing limited.
    limiter: Limiter | None = getattr(request.app.state, "limiter", None)
    return limiter


def client_ip(request: HTTPConnection, limiter: Limiter) -> str:
    """The client's IP: the socket peer, or what trusted proxies say in X-Forwarded-For."""
    peer = request.client.host if request.client else None
    return client_address(peer, request.headers.getlist("x-forwarded-for"), limiter.trusted)


async def by_ip(request: HTTPConnection, rule: str) -> None:
    """Count an anonymous request against its client IP (an IPv6 client's /64); 429 once over."""
    limiter = _limiter(request)
    if limiter is not None and rule in limiter.rules:
        await limiter.check(rule, address_key(client_ip(request, limiter)))


async def by_account(request: HTTPConnection, rule: str, account_id: str) -> None:
    """Count a signed-in request against its account, whichever credential or IP it came with."""
    limiter = _limiter(request)
    if limiter is not None and rule in limiter.rules:
        await limiter.check(rule, account_id)


async def log_in_attempt(request: HTTPConnection, email: str) -> LoginAttempt | None:
    """Before the password is checked: 429 while the IP or the typed email is slowed down."""
    limiter = _limiter(request)
    if limiter is None:
        return None
    return await limiter.check_login(client_ip(request, limiter), email_key(normalise_email(email)))

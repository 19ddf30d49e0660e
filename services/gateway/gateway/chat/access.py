"""Who is on a socket: Origin checked against the allowed sites, then the visitor's token or the agent's credential.

Browsers send cookies with a WebSocket handshake to any site's page that opens one, so a socket
authenticated by cookie must come from our own origin; a bearer token (non-browser clients) needs
no Origin. Customers' sockets may also come from the sites that embed the support button.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.websockets import WebSocket

from gateway.accounts.service import Accounts
from gateway.auth import SESSION_COOKIE, Credential
from gateway.domain.principal import Principal


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL, lower-case, as browsers send it in Origin."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def origin_allowed(websocket: WebSocket, allowed: set[str], *, required: bool) -> bool:
    """The handshake's Origin is one of ``allowed`` (absent counts only when not ``required``)."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return not required
    return origin.lower().rstrip("/") in allowed


async def agent_of(
    websocket: WebSocket, accounts: Accounts, own_origin: str
) -> tuple[Principal, Credential] | None:
    """The staff member on this socket and the credential they came with, or None (no, bad or expired
    credential; foreign origin)."""
    authorization = websocket.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        credential = Credential("token", authorization[7:].strip())
        found = await accounts.bearer(credential.secret)
    elif session := websocket.cookies.get(SESSION_COOKIE):
        if not origin_allowed(websocket, {own_origin}, required=True):
            return None
        credential = Credential("session", session)
        live = await accounts.session(session)
        found = live[0] if live is not None else None
    else:
        return None
    return (found, credential) if found is not None and found.is_staff else None


async def still_live(accounts: Accounts, credential: Credential) -> bool:
    """Whether the credential a socket opened with still lets its holder in."""
    if credential.kind == "token":
        return await accounts.bearer(credential.secret) is not None
    return await accounts.session(credential.secret) is not None

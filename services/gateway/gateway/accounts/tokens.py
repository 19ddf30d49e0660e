"""API tokens for scripts and integrations: shown once, stored as digests, revocable."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID, uuid4

from gateway.accounts import access
from gateway.accounts.credentials import API_TOKEN_PREFIX, digest, new_secret
from gateway.accounts.service import Accounts
from gateway.domain.accounts import API_TOKEN_LIFETIME
from gateway.domain.principal import Principal
from plumbing.errors import NotFound


@dataclass(frozen=True)
class IssuedToken:
    """A new token with its secret: the only time the secret is seen."""

    token: str
    listed: access.ApiToken


async def issue(accounts: Accounts, who: Principal, name: str) -> IssuedToken:
    """Create a bearer token for ``who``, valid for API_TOKEN_LIFETIME."""
    secret = new_secret(API_TOKEN_PREFIX)
    async with accounts.transaction() as conn:
        listed = await access.add_api_token(
            conn, uuid4(), digest(secret), UUID(who.account_id), name.strip(), API_TOKEN_LIFETIME
        )
    return IssuedToken(secret, listed)


async def listed(accounts: Accounts, who: Principal) -> list[access.ApiToken]:
    """``who``'s live tokens, newest first."""
    async with accounts.pool.connection() as conn:
        return await access.api_tokens(conn, UUID(who.account_id))


async def revoke(
    accounts: Accounts, who: Principal, token_id: UUID | None = None, token: str | None = None
) -> None:
    """Revoke one of ``who``'s tokens, by id or by its secret; 404 when ``who`` has no such token."""
    async with accounts.transaction() as conn:
        hashed = None if token is None else digest(token)
        if not await access.drop_api_token(conn, UUID(who.account_id), token_id, hashed):
            raise NotFound("token_not_found")

"""The JSON bodies of the accounts API. Field rules live in gateway.domain.accounts (one set of reasons)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from gateway.accounts.access import ApiToken
from gateway.domain.accounts import PASSWORD_MAX
from gateway.domain.principal import Principal
from gateway.openapi import NO_NUL


class SignUp(BaseModel):
    """A customer's sign-up form."""

    name: str = Field(examples=["Maria Silva"])
    email: str = Field(examples=["maria@example.com"])
    password: str = Field(description="At least 10 characters, not only digits, not a common password.")


class SignUpAccepted(BaseModel):
    """The same answer whether or not the address was already registered."""

    status: Literal["verification_sent"] = "verification_sent"
    dev_verification_url: str | None = Field(default=None, description="Development mode only.")


class TokenForm(BaseModel):
    """A one-time token from an emailed link (the part after ``#token=``)."""

    token: str = Field(min_length=1, max_length=200)


class LogIn(BaseModel):
    """Email and password."""

    email: str = Field(max_length=320, pattern=NO_NUL, examples=["maria@example.com"])
    password: str = Field(min_length=1, max_length=PASSWORD_MAX, pattern=NO_NUL)


class Me(BaseModel):
    """The logged-in account."""

    account_id: str
    kind: Literal["customer", "agent", "admin"]
    email: str
    name: str
    email_verified: bool
    departments: list[str] = Field(description="An agent's departments; every department for an admin.")

    @classmethod
    def of(cls, principal: Principal) -> Me:
        """The wire form of a principal."""
        return cls(
            account_id=principal.account_id,
            kind=principal.kind,
            email=principal.email,
            name=principal.name,
            email_verified=principal.email_verified,
            departments=list(principal.departments),
        )


class SessionOpened(BaseModel):
    """A new browser session; send ``csrf_token`` as X-CSRF-Token on every POST/PUT/PATCH/DELETE."""

    principal: Me
    csrf_token: str


class ResetRequest(BaseModel):
    """The address to send a reset link to."""

    email: str = Field(max_length=320, examples=["maria@example.com"])


class ResetAccepted(BaseModel):
    """The same answer whether or not the address has an account."""

    status: Literal["reset_sent"] = "reset_sent"
    dev_reset_url: str | None = Field(default=None, description="Development mode only.")


class ResetConfirm(BaseModel):
    """The token from the reset link and the new password."""

    token: str = Field(min_length=1, max_length=200)
    password: str


class TokenRequest(BaseModel):
    """A label to recognise the token by."""

    name: str = Field(min_length=1, max_length=100, pattern=NO_NUL, examples=["integração CRM"])


class TokenInfo(BaseModel):
    """An API token as listed (never its secret)."""

    id: UUID
    name: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime

    @classmethod
    def of(cls, token: ApiToken) -> TokenInfo:
        """The wire form of a stored token."""
        return cls(
            id=token.id,
            name=token.name,
            created_at=token.created_at,
            last_used_at=token.last_used_at,
            expires_at=token.expires_at,
        )


class TokenIssued(TokenInfo):
    """A new token: ``token`` is shown this once; send it as ``Authorization: Bearer <token>``."""

    token: str

"""Customers' accounts: sign up, verify the address, reset a forgotten password."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from gateway.accounts.models import (
    ResetAccepted,
    ResetConfirm,
    ResetRequest,
    SignUp,
    SignUpAccepted,
    TokenForm,
)
from gateway.dependencies import AccountsDep
from gateway.domain.language import negotiate
from gateway.openapi import documented
from gateway.ratelimit import http as limits
from gateway.ratelimit.limiter import PASSWORD_RESET, SIGN_UP

router = APIRouter(prefix="/api/v1", tags=["accounts"])
_RESET_REFUSALS = "`token_invalid_or_expired` (field `token`); or the new password's fields."


def _language(request: Request) -> str:
    return negotiate(request.headers.get("accept-language"))


@router.post(
    "/accounts",
    status_code=status.HTTP_202_ACCEPTED,
    response_model_exclude_none=True,
    responses=documented(
        422, 429, 503, e422="`invalid`: `fields` names each field (`name`, `email`, `password`) and why."
    ),
)
async def sign_up(form: SignUp, request: Request, accounts: AccountsDep) -> SignUpAccepted:
    """Sign up as a customer; a verification link is emailed (an address already registered gets the same answer)."""
    await limits.by_ip(request, SIGN_UP)
    link = await accounts.sign_up(form.name, form.email, form.password, _language(request))
    return SignUpAccepted(dev_verification_url=link if accounts.settings.dev_mode else None)


@router.post(
    "/accounts/verify",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=documented(
        422, 503, e422="`token_invalid_or_expired` (field `token`): unknown, used or older than 48 h."
    ),
)
async def verify_email(form: TokenForm, accounts: AccountsDep) -> None:
    """Confirm the email address with the token of the emailed link (single use, 48 h)."""
    await accounts.verify_email(form.token)


@router.post(
    "/password-resets",
    status_code=status.HTTP_202_ACCEPTED,
    response_model_exclude_none=True,
    responses=documented(422, 429, 503, e422="`invalid`: field `email` is not an email address."),
)
async def request_reset(form: ResetRequest, request: Request, accounts: AccountsDep) -> ResetAccepted:
    """Email a password-reset link (single use, 1 h); the same answer whether or not the address has an account."""
    await limits.by_ip(request, PASSWORD_RESET)
    link = await accounts.request_reset(form.email, _language(request))
    return ResetAccepted(dev_reset_url=link if accounts.settings.dev_mode else None)


@router.post(
    "/password-resets/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=documented(422, 503, e422=_RESET_REFUSALS),
)
async def reset_password(form: ResetConfirm, accounts: AccountsDep) -> None:
    """Set a new password with a reset token; every session and API token of the account ends."""
    await accounts.reset_password(form.token, form.password)

"""Messages owned by the gateway's accounts: the mails an account change asks for."""

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from contracts.common import Email, Id, ShortText
from contracts.envelope import Message
from contracts.registry import message_type


class AccountEmail(StrEnum):
    """Which account mail to send."""

    VERIFY_EMAIL = "verify_email"  # confirm the address of a new account
    ACCOUNT_EXISTS = "account_exists"  # someone signed up with an address that has an account
    RESET_PASSWORD = "reset_password"  # noqa: S105 (a mail kind) — the link to choose a new password


@message_type("accounts.AccountEmailRequested", 1)
class AccountEmailRequestedV1(Message):
    """Send an account mail. It may carry a one-time link: the stream keeps it two days at most."""

    email_id: Id = Field(description="Stable id of this mail (one per request); the notifier sends it once.")
    kind: AccountEmail
    to_email: Email
    to_name: ShortText = ""
    language: ShortText = Field(default="pt-BR", description="pt-BR or en.")
    link: ShortText | None = Field(default=None, description="The one-time link, when the mail has one.")
    requested_at: datetime

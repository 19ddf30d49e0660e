"""The mails an account change asks for (verification, reset, "you already have an account")."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.accounts import AccountEmail, AccountEmailRequestedV1

LANGUAGES = ("pt-BR", "en")
_SUBJECTS = {
    AccountEmail.VERIFY_EMAIL: ("Confirme seu e-mail", "Confirm your email address"),
    AccountEmail.ACCOUNT_EXISTS: ("Você já tem uma conta", "You already have an account"),
    AccountEmail.RESET_PASSWORD: ("Redefina sua senha", "Reset your password"),
}


@dataclass(frozen=True)
class AccountNotice:
    """One account mail: its kind, language, addressee and the values its templates show."""

    kind: AccountEmail
    language: str
    to_email: str
    to_name: str
    subject: str
    link: str | None


def account_notice(message: AccountEmailRequestedV1, default_language: str) -> AccountNotice:
    """The mail for a request, in the account's language (ours when it asks for one we lack)."""
    language = message.language if message.language in LANGUAGES else default_language
    subject = _SUBJECTS[message.kind][0 if language == "pt-BR" else 1]
    return AccountNotice(message.kind, language, message.to_email, message.to_name, subject, message.link)

"""Account mails: the account's language, safe headers, the link in both bodies, one id per request."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contracts.accounts import AccountEmail, AccountEmailRequestedV1
from notifier.adapters.templates import Templates
from notifier.domain.account_mail import account_notice
from notifier.domain.envelope import compose_account

LINK = "https://atende.example.com/verify-email#token=abc123"


def request(kind: AccountEmail = AccountEmail.VERIFY_EMAIL, **extra: object) -> AccountEmailRequestedV1:
    fields = {
        "email_id": "account-email:7:1",
        "kind": kind,
        "to_email": "joana@example.com",
        "to_name": "Joana",
        "language": "pt-BR",
        "link": LINK,
        "requested_at": datetime(2026, 11, 22, 12, 0, tzinfo=UTC),
    } | extra
    return AccountEmailRequestedV1.model_validate(fields)


def rendered(message: AccountEmailRequestedV1, default_language: str = "pt-BR") -> tuple[str, str, str]:
    notice = account_notice(message, default_language)
    text, html = Templates(default_language, "https://atende.example.com").render_account(notice)
    email = compose_account(
        notice,
        event_id=message.email_id,
        text=text,
        html=html,
        mail_from="Atende <suporte@atende.local>",
        support_address="suporte@atende.local",
        date=message.requested_at,
    )
    return email.as_string(), text, html


@pytest.mark.parametrize(
    ("kind", "language", "subject"),
    [
        (AccountEmail.VERIFY_EMAIL, "pt-BR", "Confirme seu e-mail"),
        (AccountEmail.VERIFY_EMAIL, "en", "Confirm your email address"),
        (AccountEmail.RESET_PASSWORD, "pt-BR", "Redefina sua senha"),
        (AccountEmail.ACCOUNT_EXISTS, "en", "You already have an account"),
        (AccountEmail.VERIFY_EMAIL, "fr", "Confirme seu e-mail"),  # a language we lack: ours
    ],
)
def test_each_mail_speaks_the_accounts_language(kind: AccountEmail, language: str, subject: str) -> None:
    raw, text, html = rendered(request(kind, language=language))
    assert f"Subject: {subject}" in raw
    assert LINK in text and LINK in html
    assert "Auto-Submitted: auto-generated" in raw and "Message-ID: <" in raw


def test_without_a_link_the_existing_account_mail_says_how_to_log_in() -> None:
    _, text, html = rendered(request(AccountEmail.ACCOUNT_EXISTS, link=None))
    assert "senha" in text and "#token" not in text + html


def test_a_hostile_name_neither_breaks_headers_nor_the_html() -> None:
    raw, _, html = rendered(request(to_name="<script>x</script>\r\nBcc: evil@example.com"))
    head = raw.split("\r\n\r\n", 1)[0]
    assert [line for line in head.split("\r\n") if line.startswith("Bcc")] == []
    assert "evil@example.com" in head, "the name is still there, folded into the To header"
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_the_same_request_makes_the_same_mail() -> None:
    assert rendered(request())[0] == rendered(request())[0]
    assert rendered(request())[0] != rendered(request(email_id="account-email:8:1"))[0]

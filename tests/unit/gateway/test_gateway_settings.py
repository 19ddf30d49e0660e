"""The gateway's settings: departments from a comma-separated variable, Secure cookies outside dev."""

import pytest
from pydantic import ValidationError

from gateway.config import Settings


def test_departments_default_and_come_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().departments == ("Comercial", "Financeiro", "Suporte", "Websites")
    monkeypatch.setenv("ATENDE_GATEWAY_DEPARTMENTS", "Suporte, Vendas ,")
    assert Settings().departments == ("Suporte", "Vendas")
    monkeypatch.setenv("ATENDE_GATEWAY_DEPARTMENTS", " , ")
    with pytest.raises(ValidationError, match="at least one department"):
        Settings()


def test_cookies_are_secure_unless_in_development() -> None:
    assert Settings().cookie_secure is True
    assert Settings().dev_mode is False
    assert Settings(dev_mode=True, cookie_secure=False).cookie_secure is False
    with pytest.raises(ValidationError, match="plain-http development only"):
        Settings(cookie_secure=False)


def test_public_url_loses_its_trailing_slash() -> None:
    assert Settings(public_url="https://atende.example.com/").public_url == "https://atende.example.com"

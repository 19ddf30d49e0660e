"""pt-BR first, English second."""

import pytest

from gateway.domain.language import ENGLISH, PORTUGUESE, negotiate
from gateway.domain.messages import text


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, PORTUGUESE),
        ("", PORTUGUESE),
        ("pt-BR,pt;q=0.9,en;q=0.8", PORTUGUESE),
        ("en-US,en;q=0.9", ENGLISH),
        ("fr-FR,en;q=0.5,pt;q=0.4", ENGLISH),
        ("de, fr", PORTUGUESE),
        ("en;q=0, pt;q=0.1", PORTUGUESE),
        ("en;q=bogus, pt-PT", PORTUGUESE),
        ("en, pt", ENGLISH),
    ],
)
def test_negotiate(header: str | None, language: str) -> None:
    assert negotiate(header) == language


def test_known_reasons_read_in_both_languages_and_unknown_ones_stay_codes() -> None:
    assert text("not_found", PORTUGUESE) == "Não encontrado."
    assert text("not_found", ENGLISH) == "Not found."
    assert text("some_new_rule", ENGLISH) == "some_new_rule"

"""The finished ticket's mail asks "Como foi o atendimento?" with five one-click rating links."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contracts.common import ActorKind
from contracts.tickets import TicketClosedV1
from notifier.adapters.templates import Templates
from notifier.domain.notifications import Kind, KnownTicket, notice_for

TICKET = "5b0e4c1e-0000-4000-8000-000000000001"
KNOWN = KnownTicket(TICKET, 1042, "Boleto vencido", "maria@example.com", "Maria")
KEY = "Zx_9-key"


def closed(key: str | None = KEY) -> TicketClosedV1:
    return TicketClosedV1(
        ticket_id=TICKET,
        number=1042,
        customer_email="maria@example.com",
        closed_by=ActorKind.AGENT,
        closed_at=datetime(2026, 11, 22, 12, 0, tzinfo=UTC),
        rating_key=key,
    )


def links(score_range: range = range(1, 6)) -> list[str]:
    return [f"https://suporte.example.com/rate/ticket/{TICKET}?key={KEY}&score={n}" for n in score_range]


@pytest.mark.parametrize(
    ("language", "question", "labels"),
    [
        ("pt-BR", "Como foi o atendimento?", ["Muito ruim", "Ruim", "Regular", "Bom", "Excelente"]),
        ("en", "How was our support?", ["Very bad", "Bad", "Fair", "Good", "Excellent"]),
    ],
)
def test_the_finished_mail_links_each_score_with_the_key(
    language: str, question: str, labels: list[str]
) -> None:
    notice = notice_for(closed(), KNOWN, language)
    assert notice is not None and notice.kind is Kind.CLOSED and notice.rating_key == KEY
    text, html = Templates(language, "https://suporte.example.com/").render(notice)
    assert question in text and question in html
    for n, (link, label) in enumerate(zip(links(), labels, strict=True), start=1):
        assert f"{n} ({label}): {link}" in text  # the plain part: one line per score
        assert f'href="{link.replace("&", "&amp;")}"' in html and f"{n} – {label}</a>" in html
    assert text.count("/rate/ticket/") == html.count("/rate/ticket/") == 5


def test_a_key_is_quoted_into_the_link() -> None:
    notice = notice_for(closed("a/b+c"), KNOWN, "pt-BR")
    assert notice is not None
    text, _ = Templates("pt-BR", "https://suporte.example.com").render(notice)
    assert "?key=a%2Fb%2Bc&score=1" in text


@pytest.mark.parametrize("language", ["pt-BR", "en"])
def test_a_finish_without_a_key_asks_for_no_rating(language: str) -> None:
    notice = notice_for(closed(None), KNOWN, language)
    assert notice is not None and notice.rating_key is None
    text, html = Templates(language, "https://suporte.example.com").render(notice)
    assert "/rate/" not in text and "/rate/" not in html
    assert "atendimento?" not in text and "support?" not in text

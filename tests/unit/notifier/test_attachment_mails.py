"""Files in customer mails: refused ones on the receipt with their reason, an agent's listed with links."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import pytest

from contracts.common import ActorKind, Channel
from contracts.tickets import RefusedAttachment, TicketOpenedV1, TicketRepliedV1, TicketStatus
from notifier.adapters.templates import Templates
from notifier.domain.attachments import named, reason_text
from notifier.domain.notifications import KnownTicket, names_wanted, notice_for

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
TICKET = "5b0e4c1e-0000-4000-8000-000000000001"
KNOWN = KnownTicket(TICKET, 1042, "Boleto vencido", "maria@example.com", "Maria")
FILES = f"https://atende.example.com/api/v1/tickets/{TICKET}/attachments"
# Every rule the files service refuses by (services/files/files/inspection and uploads).
FILES_RULES = (
    "too_large",
    "extension_not_allowed",
    "content_mismatch",
    "archive_too_large",
    "archive_ratio",
    "archive_too_many_entries",
    "archive_broken",
    "image_too_large",
    "image_broken",
    "office_broken",
    "pdf_broken",
    "not_text",
    "infected",
    "empty",
)


def opened(*refused: tuple[str, str]) -> TicketOpenedV1:
    return TicketOpenedV1(
        ticket_id=TICKET,
        number=1042,
        channel=Channel.EMAIL,
        customer_email="maria@example.com",
        customer_name="Maria",
        subject="Boleto vencido",
        status=TicketStatus.WAITING,
        opened_at=NOW,
        refused_attachments=[RefusedAttachment(filename=f, reason_code=r) for f, r in refused],
    )


def replied(*attachment_ids: str, author: ActorKind = ActorKind.AGENT) -> TicketRepliedV1:
    return TicketRepliedV1(
        ticket_id=TICKET,
        number=1042,
        reply_id="r1",
        customer_email="maria@example.com",
        author_kind=author,
        author_name="agent-7f3a",
        body="Segue a segunda via.",
        channel=Channel.PORTAL,
        attachment_ids=list(attachment_ids),
        replied_at=NOW,
    )


def render(
    message: TicketOpenedV1 | TicketRepliedV1, language: str = "pt-BR", names: Mapping[str, str] | None = None
) -> tuple[str, str]:
    known = None if isinstance(message, TicketOpenedV1) else KNOWN
    notice = notice_for(message, known, language, names)
    assert notice is not None
    return Templates(language, "https://atende.example.com/").render(notice)


def test_the_receipt_says_which_files_were_refused_and_why_in_portuguese() -> None:
    text, html = render(opened(("fatura.exe", "extension_not_allowed"), ("fotos.zip", "archive_ratio")))
    assert "O anexo fatura.exe não foi aceito: tipo de arquivo não permitido.\n" in text
    assert (
        "O anexo fotos.zip não foi aceito: o arquivo compactado tem uma taxa de compressão suspeita.\n"
        in text
    )
    assert "responda a este e-mail com eles corrigidos ou em outro formato." in text
    assert (
        "<li>O anexo <strong>fatura.exe</strong> não foi aceito: tipo de arquivo não permitido.</li>" in html
    )
    assert "Recebemos sua solicitação #1042" in text, "the rest of the receipt is as before"


def test_the_receipt_in_english_and_with_one_file() -> None:
    text, html = render(opened(("fatura.exe", "extension_not_allowed")), "en")
    assert "The attachment fatura.exe was not accepted: file type not allowed.\n" in text
    assert "If you still need to send it, reply to this email" in text
    assert "<strong>fatura.exe</strong> was not accepted: file type not allowed." in html
    assert "não foi aceito" not in text + html


def test_a_receipt_without_refused_files_says_nothing_of_them() -> None:
    text, html = render(opened())
    assert "anexo" not in text.lower() and "<ul>" not in html
    assert "mudança de situação.\n\n--\n" in text, "no stray blank lines where the list would be"


def test_a_refused_name_is_escaped_in_html_and_kept_on_one_line_in_text() -> None:
    text, html = render(opened(("<img src=x onerror=alert(1)>\r\nBcc: x@y.z.exe", "infected")))
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "O anexo <img src=x onerror=alert(1)> Bcc: x@y.z.exe não foi aceito: o antivírus" in text


@pytest.mark.parametrize("rule", FILES_RULES)
def test_every_files_rule_has_its_own_words_in_both_languages(rule: str) -> None:
    unknown = (reason_text("a_rule_from_the_future", "pt-BR"), reason_text("a_rule_from_the_future", "en"))
    portuguese, english = reason_text(rule, "pt-BR"), reason_text(rule, "en")
    assert portuguese not in unknown and english not in unknown
    assert portuguese != english
    assert not portuguese.endswith(".") and not english.endswith("."), "the template ends the sentence"


def test_a_rule_this_release_does_not_know_still_reads_as_a_sentence() -> None:
    text, _ = render(opened(("x.bin", "a_rule_from_the_future")))
    assert "O anexo x.bin não foi aceito: o arquivo não atende às regras de anexos." in text


def test_an_agents_reply_lists_its_files_by_name_with_their_download_links() -> None:
    names = {"file-1": "segunda-via.pdf", "file-2": "comprovante <1>.png"}
    text, html = render(replied("file-1", "file-2"), names=names)
    assert f"Anexos (para baixar, entre no portal):\n- segunda-via.pdf: {FILES}/file-1\n" in text
    assert f"- comprovante <1>.png: {FILES}/file-2\n" in text
    assert f'<li><a href="{FILES}/file-1">segunda-via.pdf</a></li>' in html
    assert f'<li><a href="{FILES}/file-2">comprovante &lt;1&gt;.png</a></li>' in html
    assert "Segue a segunda via.\n\nAnexos" in text and f"{FILES}/file-2\n\nSituação agora" in text


def test_files_that_could_not_be_named_are_listed_as_anexo_n_still_with_links() -> None:
    text, html = render(replied("file-1", "file-2"))  # the files service did not answer
    assert f"- anexo 1: {FILES}/file-1\n- anexo 2: {FILES}/file-2\n" in text
    assert f'<a href="{FILES}/file-2">anexo 2</a>' in html
    english, _ = render(replied("file-1", "file-2"), "en", names={"file-2": "boleto.pdf"})
    assert "Attachments (sign in to the portal to download them):" in english
    assert f"- attachment 1: {FILES}/file-1\n- boleto.pdf: {FILES}/file-2\n" in english


def test_a_reply_without_files_has_no_list_and_ids_are_quoted_in_links() -> None:
    text, html = render(replied())
    assert "Anexos" not in text and "<ul>" not in html
    assert "Segue a segunda via.\n\nSituação agora" in text
    [odd] = named(["a/b?c"], {"a/b?c": "x.pdf"}, "pt-BR")
    text, _ = render(replied(odd.attachment_id), names={odd.attachment_id: "x.pdf"})
    assert f"- x.pdf: {FILES}/a%2Fb%3Fc\n" in text


def test_only_an_agents_reply_asks_for_names() -> None:
    assert names_wanted(replied("file-1")) == ["file-1"]
    assert names_wanted(replied("file-1", author=ActorKind.CUSTOMER)) == []
    assert names_wanted(replied()) == []
    assert names_wanted(opened(("a.exe", "extension_not_allowed"))) == []

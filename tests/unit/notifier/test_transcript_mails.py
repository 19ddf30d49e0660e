"""Chat transcripts by email: who wrote what and when, by name, in both languages, escaped and marked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.policy import default
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from contracts.chat import (
    ChatClosedV1,
    ChatEntry,
    ChatRequestedV1,
    ChatTranscriptRequestedV1,
    ConversationStatus,
    ConversationSummary,
    ConversationV1,
)
from contracts.common import ActorKind
from notifier.adapters.templates import Templates
from notifier.config import Settings
from notifier.domain.envelope import compose_transcript, message_id
from notifier.domain.marking import LOOP_HEADER
from notifier.domain.transcripts import (
    EVENT,
    MESSAGE,
    Transcript,
    files_of,
    site_of,
    transcript,
    transcript_request,
)

START = datetime(2026, 11, 22, 14, 0, tzinfo=UTC)
CHAT = "7d1c0a2e-0000-4000-8000-00000000c4a7"
AGENT_ID = "acct-7f3a9b"  # an agent's account id: never in a customer's mail
PUBLIC = "https://atende.example.com"
FILES = f"{PUBLIC}/api/v1/chat/conversations/{CHAT}/attachments"


def entry(seq: int, kind: str, by: ActorKind, minutes: float, **fields: object) -> ChatEntry:
    author_id = {ActorKind.CUSTOMER: "maria@example.com", ActorKind.AGENT: AGENT_ID}.get(by, "system")
    values: dict[str, object] = {"author_id": author_id, "author_name": ""} | fields
    return ChatEntry.model_validate(
        {"seq": seq, "kind": kind, "author_kind": by, "at": START + timedelta(minutes=minutes)} | values
    )


def conversation(*entries: ChatEntry) -> ConversationV1:
    return ConversationV1(
        conversation=ConversationSummary(
            conversation_id=CHAT,
            status=ConversationStatus.CLOSED,
            department="Suporte",
            customer_email="maria@example.com",
            customer_name="Maria",
            question="A fatura veio errada",
            requested_at=START,
            last_seq=max((e.seq for e in entries), default=0),
        ),
        entries=list(entries),
    )


def a_chat() -> ConversationV1:
    """A whole chat: question, accept, messages, a file, a transfer, the close."""
    agent = {"author_name": "Carla", "agent_id": AGENT_ID, "agent_name": "Carla"}
    return conversation(
        entry(1, "requested", ActorKind.CUSTOMER, 0, author_name="Maria", text="A fatura veio errada"),
        entry(2, "accepted", ActorKind.AGENT, 1, **agent),
        entry(3, "message", ActorKind.AGENT, 2, author_name="Carla", text="Olá, Maria!\nVou verificar."),
        entry(4, "file", ActorKind.AGENT, 3, author_name="Carla", attachment_id="f-1"),
        entry(
            5, "file", ActorKind.CUSTOMER, 4, author_name="Maria", text="o comprovante", attachment_id="f-2"
        ),
        entry(6, "transferred", ActorKind.AGENT, 5, author_name="Carla", department="Financeiro"),
        entry(7, "accepted", ActorKind.AGENT, 6, author_name="Rui", agent_id="acct-2", agent_name="Rui"),
        entry(8, "closed", ActorKind.CUSTOMER, 9, author_name="Maria"),
    )


def closed(send: bool = True, **fields: object) -> ChatClosedV1:
    values: dict[str, object] = {
        "conversation_id": CHAT,
        "department": "Suporte",
        "customer_email": "maria@example.com",
        "customer_name": "Maria",
        "agent_id": AGENT_ID,
        "closed_by": ActorKind.CUSTOMER,
        "status": ConversationStatus.CLOSED,
        "send_transcript": send,
        "messages": 4,
        "closed_at": START + timedelta(minutes=9),
    }
    return ChatClosedV1.model_validate(values | fields)


def made(
    chat: ConversationV1,
    language: str = "pt-BR",
    names: dict[str, str] | None = None,
    zone: str = "UTC",
    message: ChatClosedV1 | None = None,
) -> Transcript:
    request = transcript_request(message or closed())
    assert request is not None
    tz = UTC if zone == "UTC" else ZoneInfo(zone)
    return transcript(
        request, chat, names=names, language=language, zone=tz, zone_name=zone, site=site_of("Atende <s@x>")
    )


def render(made_transcript: Transcript) -> tuple[str, str]:
    return Templates(made_transcript.language, PUBLIC + "/").render_transcript(made_transcript)


NAMES = {"f-1": "boleto.pdf", "f-2": "comprovante.png"}


def test_only_a_close_that_asked_and_a_later_request_want_a_transcript() -> None:
    assert transcript_request(closed(send=False)) is None
    asked = transcript_request(closed())
    assert asked is not None and asked.customer_email == "maria@example.com"
    late = ChatTranscriptRequestedV1(
        conversation_id=CHAT,
        department="Suporte",
        customer_email="maria@example.com",
        customer_name="Maria",
        messages=4,
        requested_at=START + timedelta(hours=1),
    )
    request = transcript_request(late)
    assert request is not None and request.asked_at == START + timedelta(hours=1)
    started = ChatRequestedV1(
        conversation_id=CHAT,
        department="Suporte",
        customer_email="maria@example.com",
        customer_name="Maria",
        question="Oi",
        requested_at=START,
    )
    assert transcript_request(started) is None


def test_the_portuguese_transcript_has_every_line_with_its_time_and_author() -> None:
    mail = made(a_chat(), names=NAMES)
    assert mail.subject == "Transcrição do seu chat com Atende — Suporte, 22/11/2026"
    text, html = render(mail)
    assert "Olá, Maria,\n" in text
    assert "Horários no fuso UTC." in text
    assert (
        "[14:00] Maria: A fatura veio errada\n"
        "[14:01] * Carla entrou na conversa.\n"
        "[14:02] Carla: Olá, Maria!\n    Vou verificar.\n"
        f"[14:03] Carla enviou o arquivo boleto.pdf — {FILES}/f-1\n"
        f"[14:04] Maria: o comprovante\n    Arquivo: comprovante.png — {FILES}/f-2\n"
        "[14:05] * Conversa transferida para o departamento Financeiro.\n"
        "[14:06] * Rui entrou na conversa.\n"
        "[14:09] * Conversa encerrada por Maria.\n"
    ) in text
    assert f'<a href="{FILES}/f-1">boleto.pdf</a>' in html
    assert "Conversa transferida para o departamento Financeiro." in html
    assert '<html lang="pt-BR">' in html


def test_the_english_transcript_says_the_same_in_english() -> None:
    mail = made(a_chat(), "en", names=NAMES)
    assert mail.subject == "Transcript of your chat with Atende — Suporte, 22 Nov 2026"
    text, html = render(mail)
    assert "Hello Maria,\n" in text and "Times are in UTC." in text
    assert "[14:01] * Carla joined the chat.\n" in text
    assert f"[14:03] Carla sent the file boleto.pdf — {FILES}/f-1\n" in text
    assert f"    File: comprovante.png — {FILES}/f-2\n" in text
    assert "[14:05] * Chat transferred to the Financeiro department.\n" in text
    assert "[14:09] * Chat closed by Maria.\n" in text
    assert "Horários" not in text + html and "Conversa" not in text + html
    assert '<html lang="en">' in html


def test_times_are_shown_in_the_configured_zone_and_the_date_once_the_day_changes() -> None:
    late = conversation(
        entry(1, "requested", ActorKind.CUSTOMER, 0, author_name="Maria", text="Oi"),
        entry(2, "message", ActorKind.AGENT, 60 * 10 + 5, author_name="Carla", text="Bom dia"),
    )
    text, _ = render(made(late, zone="America/Sao_Paulo"))  # 14:00 UTC is 11:00 there
    assert "Horários no fuso America/Sao_Paulo." in text
    assert "[11:00] Maria: Oi\n[21:05] Carla: Bom dia\n" in text
    text, _ = render(made(late, zone="Asia/Tokyo"))  # 23:00 there: the answer is the next day
    assert "[23:00] Maria: Oi\n[23/11 09:05] Carla: Bom dia\n" in text
    text, _ = render(made(late, "en", zone="Asia/Tokyo"))
    assert "[23 Nov 09:05] Carla: Bom dia\n" in text


def test_people_appear_by_name_never_by_account_id() -> None:
    chat = conversation(
        entry(1, "requested", ActorKind.CUSTOMER, 0, text="Oi"),  # no name on the entry: the event's
        entry(
            2, "accepted", ActorKind.AGENT, 1, author_name=AGENT_ID, agent_id=AGENT_ID, agent_name=AGENT_ID
        ),
        entry(3, "message", ActorKind.AGENT, 2, author_name=AGENT_ID, text="Olá"),
        entry(4, "message", ActorKind.AGENT, 3, text="Mais alguma coisa?"),
        entry(5, "transferred", ActorKind.AGENT, 4, agent_id="acct-2", agent_name="acct-2"),
        entry(6, "closed", ActorKind.AGENT, 5, author_name=AGENT_ID),
        entry(7, "message", ActorKind.SYSTEM, 6, author_name="bot", text="Aviso"),
    )
    for language in ("pt-BR", "en"):
        text, html = render(made(chat, language))
        assert AGENT_ID not in text + html and "acct-2" not in text + html
    text, _ = render(made(chat))
    assert "[14:00] Maria: Oi\n" in text
    assert "* Um atendente entrou na conversa.\n" in text
    assert "[14:02] Atendente: Olá\n[14:03] Atendente: Mais alguma coisa?\n" in text
    assert "* Conversa transferida.\n" in text
    assert "* Conversa encerrada por Atendente.\n" in text
    assert "[14:06] Atende: Aviso\n" in text
    text, _ = render(made(chat, "en"))
    assert "* An agent joined the chat.\n" in text and "[14:02] Agent: Olá\n" in text


def test_system_lines_are_short_and_unknown_kinds_are_left_out() -> None:
    chat = conversation(
        entry(1, "requested", ActorKind.CUSTOMER, 0, author_name="Maria", text="Oi"),
        entry(2, "transferred", ActorKind.AGENT, 1, author_name="Carla", agent_id="acct-2", agent_name="Rui"),
        entry(3, "internal-note", ActorKind.AGENT, 2, author_name="Carla", text="cliente difícil"),
        entry(4, "abandoned", ActorKind.SYSTEM, 3),
        entry(4, "abandoned", ActorKind.SYSTEM, 3),  # the same entry twice: shown once
    )
    mail = made(chat)
    assert [(line.kind, line.text) for line in mail.lines] == [
        (MESSAGE, "Oi"),
        (EVENT, "Conversa transferida para Rui."),
        (EVENT, "Conversa encerrada por inatividade."),
    ]
    assert [line.text for line in made(chat, "en").lines][1:] == [
        "Chat transferred to Rui.",
        "Chat closed after a time without activity.",
    ]
    offline = conversation(entry(1, "offline", ActorKind.CUSTOMER, 0, author_name="Maria", text="Liguem"))
    assert [(line.kind, line.author) for line in made(offline).lines] == [(MESSAGE, "Maria"), (EVENT, "")]


def test_files_are_named_by_the_files_service_and_unnamed_ones_have_no_link() -> None:
    chat = a_chat()
    assert files_of(chat) == ["f-1", "f-2"]
    text, html = render(made(chat, names={"f-2": "comprovante.png"}))
    assert "[14:03] Carla enviou o arquivo anexo 1\n" in text
    assert f"{FILES}/f-1" not in text + html, "a file files cannot name is not linked"
    assert f"Arquivo: comprovante.png — {FILES}/f-2\n" in text
    text, _ = render(made(chat, "en", names=None))  # files did not answer at all
    assert "Carla sent the file attachment 1\n" in text and "File: attachment 2\n" in text
    assert "/attachments/" not in text


def test_the_html_escapes_everything_people_wrote() -> None:
    evil = '<script>alert("x")</script>'
    chat = conversation(
        entry(1, "requested", ActorKind.CUSTOMER, 0, author_name="<b>Maria</b>", text=evil),
        entry(2, "file", ActorKind.AGENT, 1, author_name='Carla"><img src=x>', attachment_id='f"1<'),
        entry(3, "transferred", ActorKind.AGENT, 2, author_name="Carla", department="<i>Fin</i>"),
    )
    message = closed(customer_name="<b>Maria</b>")
    _, html = render(made(chat, names={'f"1<': 'a"><svg onload=x>.pdf'}, message=message))
    assert "<script>" not in html and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "<b>" not in html and "&lt;b&gt;Maria&lt;/b&gt;" in html
    assert "<img" not in html and "<svg" not in html and "<i>" not in html
    assert f'<a href="{FILES}/f%221%3C">a&#34;&gt;&lt;svg onload=x&gt;.pdf</a>' in html


def test_the_mail_is_marked_automatic_and_no_raw_value_reaches_a_header() -> None:
    message = closed(customer_name="Maria\r\nBcc: x@evil.example", department="Sup\norte")
    chat = a_chat()
    mail = made(chat, names=NAMES, message=message)
    text, html = render(mail)
    email = compose_transcript(
        mail,
        event_id="chat:c-1:9",
        text=text,
        html=html,
        mail_from="Atende <suporte@atende.example.com>",
        support_address="suporte@atende.example.com",
        date=START,
    )
    raw = email.as_bytes()
    assert (
        raw
        == compose_transcript(
            mail,
            event_id="chat:c-1:9",
            text=text,
            html=html,
            mail_from="Atende <suporte@atende.example.com>",
            support_address="suporte@atende.example.com",
            date=START,
        ).as_bytes()
    ), "a repeated send is the same mail"
    parsed = message_from_bytes(raw, policy=default)
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["X-Auto-Response-Suppress"] == "All"
    assert parsed[LOOP_HEADER] == "atende.example.com"
    assert parsed["Bcc"] is None
    assert parsed["To"].addresses[0].addr_spec == "maria@example.com"
    assert "\n" not in str(parsed["To"]) and "\n" not in str(parsed["Subject"])
    assert parsed["Subject"] == "Transcrição do seu chat com Atende — Sup orte, 22/11/2026"
    assert parsed["Message-ID"] == message_id("chat:c-1:9", "atende.example.com")
    assert parsed["In-Reply-To"] is None
    assert parsed["Reply-To"] == "suporte@atende.example.com"


def test_the_site_is_the_senders_name() -> None:
    assert site_of("Acme Suporte <s@acme.example>") == "Acme Suporte"
    assert site_of("s@acme.example") == "Atende"
    for odd in ('"Acme\r\nBcc: x@evil.example" <s@acme.example>', '"Acme\u2028Suporte" <s@acme.example>'):
        assert site_of(odd).isprintable()


def test_the_time_zone_setting_is_checked() -> None:
    assert Settings(timezone="America/Sao_Paulo").zone() == ZoneInfo("America/Sao_Paulo")
    assert Settings(timezone="UTC").zone() is UTC
    with pytest.raises(ValidationError, match="unknown time zone"):
        Settings(timezone="Mars/Olympus")

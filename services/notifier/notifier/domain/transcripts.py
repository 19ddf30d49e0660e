"""A chat's transcript as its customer reads it: who wrote what and when, in the mail's language (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from email.utils import parseaddr

from contracts import Message
from contracts.chat import ChatClosedV1, ChatEntry, ChatTranscriptRequestedV1, ConversationV1
from contracts.common import ActorKind
from notifier.domain.attachments import shown_name

KIND = "transcript"  # its mail_log kind
DEFAULT_SITE = "Atende"
# Control characters and Unicode line breaks: none may reach the subject through a name.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MESSAGE, EVENT = "message", "event"


@dataclass(frozen=True)
class TranscriptRequest:
    """What the fact asking for a transcript says: which chat, and whose mailbox it goes to."""

    conversation_id: str
    department: str
    customer_email: str
    customer_name: str
    asked_at: datetime


@dataclass(frozen=True)
class SharedFile:
    """A file shared in the chat; ``attachment_id`` is None when files could not name it (no link then)."""

    name: str
    attachment_id: str | None


@dataclass(frozen=True)
class Line:
    """One line of the transcript: a message (its author and text) or what happened (a short sentence)."""

    at: str
    kind: str  # MESSAGE or EVENT
    text: str
    author: str = ""
    file: SharedFile | None = None


@dataclass(frozen=True)
class Transcript:
    """The mail's content: addressee, subject, when and in which zone, and every line in order."""

    conversation_id: str
    customer_email: str
    customer_name: str
    language: str
    site: str
    department: str
    subject: str
    date: str
    timezone: str
    lines: tuple[Line, ...]


def transcript_request(message: Message) -> TranscriptRequest | None:
    """The transcript a chat fact asks for, or None (closed without asking, or another fact)."""
    if isinstance(message, ChatClosedV1):
        if not message.send_transcript:
            return None
        return TranscriptRequest(
            message.conversation_id,
            message.department,
            message.customer_email,
            message.customer_name,
            message.closed_at,
        )
    if isinstance(message, ChatTranscriptRequestedV1):
        return TranscriptRequest(
            message.conversation_id,
            message.department,
            message.customer_email,
            message.customer_name,
            message.requested_at,
        )
    return None


def entries_of(conversation: ConversationV1) -> list[ChatEntry]:
    """The entries in order, each once (an entry seen twice has the same ``seq``)."""
    return sorted({entry.seq: entry for entry in conversation.entries}.values(), key=lambda e: e.seq)


def files_of(conversation: ConversationV1) -> list[str]:
    """The attachments shared in the chat, in order, whose names the transcript shows."""
    return list(dict.fromkeys(e.attachment_id for e in entries_of(conversation) if e.attachment_id))


def site_of(mail_from: str) -> str:
    """Who the customer chatted with, as the mail's sender calls itself ("Atende <suporte@…>")."""
    return _one_line(parseaddr(mail_from)[0]) or DEFAULT_SITE


def transcript(
    request: TranscriptRequest,
    conversation: ConversationV1,
    *,
    names: Mapping[str, str] | None,
    language: str,
    zone: tzinfo,
    zone_name: str,
    site: str,
) -> Transcript:
    """The transcript of ``conversation`` for the customer who asked, times shown in ``zone``.

    ``names``: file names by attachment id as the files service told them (None: it did not answer);
    a file it cannot name is listed as "anexo N", without a link. People appear by name, never by
    account id. Kinds of entry this release does not know are left out: they might not be the
    customer's to read.
    """
    pt = _portuguese(language)
    started = _local(conversation.conversation.requested_at, zone)
    words = _Words(pt, _one_line(request.customer_name), site, names or {})
    lines = [
        line
        for entry in entries_of(conversation)
        for line in words.lines(entry, _time(_local(entry.at, zone), started, pt))
    ]
    date = _date(started, pt)
    department = _one_line(request.department)
    if pt:
        subject = f"Transcrição do seu chat com {site} — {department}, {date}"
    else:
        subject = f"Transcript of your chat with {site} — {department}, {date}"
    return Transcript(
        conversation_id=request.conversation_id,
        customer_email=request.customer_email,
        customer_name=_one_line(request.customer_name),
        language=language,
        site=site,
        department=department,
        subject=subject[:200].rstrip(),
        date=date,
        timezone=zone_name,
        lines=tuple(lines),
    )


@dataclass
class _Words:
    """One transcript's people, files and sentences, in its language."""

    pt: bool
    customer: str
    site: str
    names: Mapping[str, str]
    unnamed: int = 0

    def lines(self, entry: ChatEntry, at: str) -> Iterator[Line]:
        """What one entry shows: a message (the question is the customer's first), or a short event line."""
        kind, text = entry.kind, entry.text or ""
        if kind in ("requested", "message", "file"):
            shared = self.file(entry.attachment_id) if entry.attachment_id else None
            if text or shared:
                yield Line(at, MESSAGE, text, self.author(entry), shared)
        elif kind == "accepted":
            yield Line(at, EVENT, self.accepted(entry))
        elif kind == "transferred":
            yield Line(at, EVENT, self.transferred(entry))
        elif kind == "closed":
            yield Line(at, EVENT, self.closed(entry))
        elif kind == "abandoned":
            text = (
                "Conversa encerrada por inatividade."
                if self.pt
                else "Chat closed after a time without activity."
            )
            yield Line(at, EVENT, text)
        elif kind == "offline":
            if text:
                yield Line(at, MESSAGE, text, self.author(entry))
            if self.pt:
                yield Line(at, EVENT, "Mensagem deixada para a equipe: a resposta chegará por e-mail.")
            else:
                yield Line(at, EVENT, "Message left for the team: the answer will come by email.")

    def author(self, entry: ChatEntry) -> str:
        """Who wrote an entry: a name, or a role when there is none (an agent's id is never shown)."""
        if entry.author_kind is ActorKind.CUSTOMER:
            return _one_line(entry.author_name) or self.customer or ("Você" if self.pt else "You")
        if entry.author_kind is ActorKind.AGENT:
            return _agent_name(entry.author_name, entry.author_id) or ("Atendente" if self.pt else "Agent")
        return self.site

    def file(self, attachment_id: str) -> SharedFile:
        """A shared file by the name files gave it (with its link), else "anexo N" (without)."""
        name = shown_name(self.names.get(attachment_id, ""))
        if name:
            return SharedFile(name, attachment_id)
        self.unnamed += 1
        return SharedFile(f"{'anexo' if self.pt else 'attachment'} {self.unnamed}", None)

    def accepted(self, entry: ChatEntry) -> str:
        agent = _agent_name(entry.agent_name, entry.agent_id) or _agent_name(
            entry.author_name, entry.author_id
        )
        if self.pt:
            return f"{agent} entrou na conversa." if agent else "Um atendente entrou na conversa."
        return f"{agent} joined the chat." if agent else "An agent joined the chat."

    def transferred(self, entry: ChatEntry) -> str:
        agent, department = _agent_name(entry.agent_name, entry.agent_id), _one_line(entry.department or "")
        if agent:
            return f"Conversa transferida para {agent}." if self.pt else f"Chat transferred to {agent}."
        if department:
            if self.pt:
                return f"Conversa transferida para o departamento {department}."
            return f"Chat transferred to the {department} department."
        return "Conversa transferida." if self.pt else "Chat transferred."

    def closed(self, entry: ChatEntry) -> str:
        if entry.author_kind is ActorKind.SYSTEM:
            return "Conversa encerrada." if self.pt else "Chat closed."
        by = self.author(entry)
        return f"Conversa encerrada por {by}." if self.pt else f"Chat closed by {by}."


def _agent_name(name: str | None, account_id: str | None) -> str | None:
    """An agent's name fit to show; None when there is none, or when it is only the account id."""
    shown = _one_line(name or "")
    return shown if shown and shown != account_id else None


def _portuguese(language: str) -> bool:
    return language.lower().startswith("pt")


def _one_line(value: str) -> str:
    return _UNSAFE.sub(" ", value).strip()


def _local(at: datetime, zone: tzinfo) -> datetime:
    # A time without a zone on the wire is UTC (every service writes UTC).
    return (at if at.tzinfo is not None else at.replace(tzinfo=UTC)).astimezone(zone)


def _date(at: datetime, pt: bool) -> str:
    return f"{at:%d/%m/%Y}" if pt else f"{at.day} {_MONTHS[at.month - 1]} {at.year}"


def _time(at: datetime, started: datetime, pt: bool) -> str:
    """The time of day; the date too once the chat ran past the day it started."""
    if at.date() == started.date():
        return f"{at:%H:%M}"
    return f"{at:%d/%m %H:%M}" if pt else f"{at.day} {_MONTHS[at.month - 1]} {at:%H:%M}"

"""Renders notifications from the packaged Jinja2 templates (HTML autoescaped, text as is)."""

from __future__ import annotations

from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from notifier.domain.account_mail import AccountNotice
from notifier.domain.notifications import Notice
from notifier.domain.transcripts import Transcript

LANGUAGES = ("pt-BR", "en")
SCORES = range(1, 6)  # the rating page's 1 "Muito ruim" … 5 "Excelente"


class Templates:
    """One language's templates: a plain-text and an HTML body per kind of notice."""

    def __init__(self, language: str, public_url: str) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"no templates for language {language!r}; have {', '.join(LANGUAGES)}")
        self.language = language
        self.public_url = public_url.rstrip("/")
        self._env = Environment(
            loader=PackageLoader("notifier", "templates"),
            # Every value in the HTML comes from customers or agents: escape it all.
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
            undefined=StrictUndefined,  # a missing value is a bug, never a blank in a customer's mail
            keep_trailing_newline=True,
        )

    def render(self, notice: Notice) -> tuple[str, str]:
        """The plain-text and HTML bodies of a notice."""
        ticket = notice.ticket
        # The customer's download route (the gateway checks they may see the file).
        files = f"{self.public_url}/api/v1/tickets/{quote(ticket.ticket_id, safe='')}/attachments"
        values = {
            "number": ticket.number,
            "subject": ticket.subject,
            "customer_name": ticket.customer_name,
            "link": f"{self.public_url}/tickets/{ticket.ticket_id}",
            "attachments": [
                {"name": a.name, "link": f"{files}/{quote(a.attachment_id, safe='')}"}
                for a in notice.attachments
            ],
            "refused": [{"filename": r.filename, "reason": r.reason} for r in notice.refused],
            "rating_links": self._rating_links(ticket.ticket_id, notice.rating_key),
            **notice.values,
        }
        name = f"{self.language}/{notice.kind.value}"
        text = self._env.get_template(f"{name}.txt").render(values)
        html = self._env.get_template(f"{name}.html").render(values)
        return text, html

    def _rating_links(self, ticket_id: str, key: str | None) -> list[dict[str, str | int]]:
        """One link per score to the public rating page: one click records it (none without a key)."""
        if not key:
            return []
        page = f"{self.public_url}/rate/ticket/{quote(ticket_id, safe='')}?key={quote(key, safe='')}"
        return [{"score": score, "link": f"{page}&score={score}"} for score in SCORES]

    def render_account(self, notice: AccountNotice) -> tuple[str, str]:
        """The plain-text and HTML bodies of an account mail, in that mail's own language."""
        values = {"to_name": notice.to_name, "subject": notice.subject, "link": notice.link}
        name = f"account/{notice.language}/{notice.kind.value}"
        return (
            self._env.get_template(f"{name}.txt").render(values),
            self._env.get_template(f"{name}.html").render(values),
        )

    def render_transcript(self, transcript: Transcript) -> tuple[str, str]:
        """The plain-text and HTML bodies of a chat's transcript."""
        # The chat's download route (the gateway checks who may fetch the file).
        conversation = quote(transcript.conversation_id, safe="")
        files = f"{self.public_url}/api/v1/chat/conversations/{conversation}/attachments"
        lines = [
            {
                "at": line.at,
                "kind": line.kind,
                "author": line.author,
                "text": line.text,
                "file": None
                if line.file is None
                else {
                    "name": line.file.name,
                    "link": None
                    if line.file.attachment_id is None
                    else f"{files}/{quote(line.file.attachment_id, safe='')}",
                },
            }
            for line in transcript.lines
        ]
        values = {
            "customer_name": transcript.customer_name,
            "subject": transcript.subject,
            "site": transcript.site,
            "department": transcript.department,
            "date": transcript.date,
            "timezone": transcript.timezone,
            "lines": lines,
        }
        name = f"{transcript.language}/transcript"
        return (
            self._env.get_template(f"{name}.txt").render(values),
            self._env.get_template(f"{name}.html").render(values),
        )

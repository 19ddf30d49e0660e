"""Reading what the session's development SMTP server delivered (its catch-all "outbox" Maildir)."""

from __future__ import annotations

from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default

from support.infra import Mail


def received(mail: Mail, address: str) -> list[EmailMessage]:
    """Every mail the dev SMTP server delivered to ``address``, oldest first."""
    found = []
    for path in sorted((mail.maildir_root / "outbox" / "new").iterdir(), key=lambda p: p.stat().st_mtime_ns):
        parsed = BytesParser(policy=default).parsebytes(path.read_bytes())
        assert isinstance(parsed, EmailMessage)
        if address in str(parsed["To"]):
            found.append(parsed)
    return found


def text_of(email: EmailMessage) -> str:
    """The plain-text body."""
    part = email.get_body(("plain",))
    assert part is not None
    return str(part.get_content())

"""Which ticket an incoming mail answers, if any, and which mail must be left alone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from mail_ingest.domain.autoreply import automatic_reason
from mail_ingest.domain.parsing import ParsedMail

# Our notifications' thread root (the receipt's Message-ID): <ticket-{uuid}@{our domain}>.
_ROOT = re.compile(r"^<ticket-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@[^<>\s]+>$")
_TAG = re.compile(r"\[#([1-9]\d{0,8})\]")


class Kind(StrEnum):
    """What intake does with a mail."""

    NEW = "new"
    REPLY = "reply"
    IGNORED = "ignored"


@dataclass(frozen=True)
class Decision:
    """The verdict on one mail: a new request, a reply to a ticket, or ignored with a reason."""

    kind: Kind
    reason: str | None = None
    ticket_id: str | None = None
    number: int | None = None
    threaded_by: str | None = None


def decide(mail: ParsedMail) -> Decision:
    """Automatic mail is ignored; our thread root in In-Reply-To, then References, then a [#n] tag."""
    reason = automatic_reason(mail.headers, mail.sender)
    if reason is not None:
        return Decision(Kind.IGNORED, reason=reason)
    for threaded_by, ids in (("in-reply-to", mail.in_reply_to), ("references", mail.references[::-1])):
        for message_id in ids:
            if found := _ROOT.match(message_id.lower()):
                return Decision(Kind.REPLY, ticket_id=found.group(1), threaded_by=threaded_by)
    if tag := _TAG.search(mail.subject):
        # Only a hint: tickets adds it to that ticket only if the sender is its customer.
        return Decision(Kind.REPLY, number=int(tag.group(1)), threaded_by="subject-tag")
    return Decision(Kind.NEW)

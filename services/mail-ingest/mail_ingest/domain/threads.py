"""Which ticket an incoming mail answers, if any, and which mail must be left alone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from mail_ingest.domain.autoreply import automatic_reason
from mail_ingest.domain.bounces import FAILED, Bounce
from mail_ingest.domain.parsing import ParsedMail

# Our notifications' thread root (the receipt's Message-ID): <ticket-{uuid}@{our domain}>.
_ROOT_ID = r"<ticket-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@[^<>\s]+>"
_ROOT = re.compile("^" + _ROOT_ID + "$")
_TAG = re.compile(r"\[#([1-9]\d{0,8})\]")
_ROOT_INLINE = re.compile(_ROOT_ID)  # anywhere in a text, e.g. a quoted copy of our mail


class Kind(StrEnum):
    """What intake does with a mail."""

    NEW = "new"
    REPLY = "reply"
    BOUNCE = "bounce"
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
    """Bounces first; automatic mail is ignored; then our root in In-Reply-To, References, a [#n] tag."""
    if mail.bounce is not None:
        return _bounce(mail.bounce)
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


def _bounce(bounce: Bounce) -> Decision:
    """A failed delivery finds its ticket through the returned mail: our ids, an inline copy, its tag."""
    if bounce.action != FAILED:
        # delayed, delivered, relayed, expanded: news about a delivery, not a failure.
        return Decision(Kind.IGNORED, reason="delivery_" + re.sub(r"[^a-z]", "", bounce.action)[:20])
    for message_id in bounce.original_ids:
        if found := _ROOT.match(message_id.lower()):
            return Decision(Kind.BOUNCE, ticket_id=found.group(1))
    if found := _ROOT_INLINE.search(bounce.text.lower()):
        return Decision(Kind.BOUNCE, ticket_id=found.group(1))  # a copy of the original quoted inline
    if tag := _TAG.search(bounce.original_subject):
        return Decision(Kind.BOUNCE, number=int(tag.group(1)))
    return Decision(Kind.BOUNCE)  # not about one of our tickets (an account mail, backscatter)

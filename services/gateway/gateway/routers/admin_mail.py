"""Admins' view of the support mailbox: the mail that opened nothing (and why), and retrying one."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from contracts.mail import (
    HandledMail,
    ListQuarantinedMailV1,
    MailOutcome,
    QuarantinedMailListV1,
    QuarantinedMailRetriedV1,
    RetryQuarantinedMailV1,
)
from contracts.subjects import LIST_QUARANTINED_MAIL_V1, RETRY_QUARANTINED_MAIL_V1
from gateway.auth import CurrentAdmin
from gateway.dependencies import BusDep
from gateway.openapi import MAX_OFFSET, documented

router = APIRouter(
    prefix="/api/v1/admin/mail", tags=["mail (admins)"], responses=documented(401, 403, 422, 503, 504)
)
Held = Literal["quarantined", "ignored", "capped", "bounced"]
Outcomes = Annotated[
    list[Held], Query(description="Any of these (repeat the parameter); quarantined by default.")
]
# A retry logs in to the mailbox and fetches the mail again: slower than a query.
_RETRY_TIMEOUT_S = 30.0


class Mail(BaseModel):
    """One mail of the support mailbox as mail-ingest recorded it; the body stays in the mailbox."""

    id: str = Field(description="What a retry names: `<uidvalidity>-<uid>`.")
    uidvalidity: int
    uid: int
    message_id: str
    sender: str | None
    subject: str
    date: datetime | None = Field(description="The mail's own Date header.")
    size: int | None = Field(description="Bytes, as the mailbox reports them.")
    outcome: str = Field(description="quarantined, ignored, capped, bounced (or, after a retry, requested…).")
    reason: str | None = Field(description="Why, as a short code: no_sender, too_large:…, auto_submitted…")
    seen_at: datetime
    retries: int
    retried_at: datetime | None


class MailPage(BaseModel):
    """A page of held mail, latest first."""

    mails: list[Mail]
    total: int
    limit: int
    offset: int


class Retried(BaseModel):
    """The mail after the retry: a new outcome, or the same one with the new reason."""

    mail: Mail
    published: bool = Field(
        description="True when the retry opened or answered a ticket (or noted a bounce)."
    )


def _out(mail: HandledMail) -> Mail:
    return Mail.model_validate(mail.model_dump())


@router.get("", summary="Mail that opened nothing")
async def held_mail(
    me: CurrentAdmin,
    bus: BusDep,
    outcome: Outcomes = ["quarantined"],  # noqa: B006 (FastAPI copies it)
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> MailPage:
    """Quarantined (unparseable, too large, no usable sender), ignored (automatic), capped or bounced mail."""
    query = ListQuarantinedMailV1(
        outcomes=[MailOutcome(value) for value in dict.fromkeys(outcome)], limit=limit, offset=offset
    )
    found = await bus.request(LIST_QUARANTINED_MAIL_V1, query, QuarantinedMailListV1)
    return MailPage(mails=[_out(mail) for mail in found.mails], total=found.total, limit=limit, offset=offset)


@router.post(
    "/{mail_id}/retry",
    responses=documented(
        404,
        409,
        e404="`mail_not_found`.",
        e409="`mail_not_retryable` (it opened or answered something already), `mail_gone` (no longer in the "
        "mailbox), `uidvalidity_changed` (the mailbox was rebuilt: its UIDs mean other mail now).",
    ),
)
async def retry(
    mail_id: Annotated[
        str, Path(pattern=r"^[1-9]\d{0,9}-[1-9]\d{0,9}$", description="`<uidvalidity>-<uid>`.")
    ],
    me: CurrentAdmin,
    bus: BusDep,
) -> Retried:
    """Fetch the mail from the mailbox again and run it through intake: a ticket or reply opens at most once."""
    uidvalidity, uid = (int(part) for part in mail_id.split("-"))
    command = RetryQuarantinedMailV1(uidvalidity=uidvalidity, uid=uid)
    done = await bus.request(
        RETRY_QUARANTINED_MAIL_V1, command, QuarantinedMailRetriedV1, timeout=_RETRY_TIMEOUT_S
    )
    return Retried(mail=_out(done.mail), published=done.published)

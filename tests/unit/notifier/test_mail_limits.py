"""When a mail the rules ask for is held back: a bounced address, the hourly caps; and who clears a flag."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contracts import Message
from contracts.common import ActorKind, Channel
from contracts.tickets import TicketDeliveryFailedV1, TicketOpenedV1, TicketRepliedV1, TicketStatus
from notifier.domain.limits import (
    ADDRESS_CAP,
    ADDRESS_FLAGGED,
    TICKET_CAP,
    Caps,
    Recent,
    account_skip_reason,
    bounced,
    skip_reason,
    wrote_to_us,
)

NOW = datetime(2026, 11, 23, tzinfo=UTC)
CAPS = Caps(per_ticket=10, per_address=30)
COMMON = {"ticket_id": "t1", "number": 1042, "customer_email": "maria@example.com"}


@pytest.mark.parametrize(
    ("flagged", "recent", "reason"),
    [
        (False, Recent(0, 0), None),
        (False, Recent(9, 29), None),
        (False, Recent(10, 10), TICKET_CAP),
        (False, Recent(3, 30), ADDRESS_CAP),
        (True, Recent(0, 0), ADDRESS_FLAGGED),  # a bounce wins over everything: nothing is sent
    ],
)
def test_ticket_mail_is_skipped_when_flagged_or_over_a_cap(
    flagged: bool, recent: Recent, reason: str | None
) -> None:
    assert skip_reason(flagged=flagged, recent=recent, caps=CAPS) == reason


def test_account_mails_have_their_own_cap() -> None:
    assert account_skip_reason(4, 5) is None
    assert account_skip_reason(5, 5) == ADDRESS_CAP


def replied(author: ActorKind, channel: Channel) -> TicketRepliedV1:
    return TicketRepliedV1(
        **COMMON, reply_id="r", author_kind=author, body="x", channel=channel, replied_at=NOW
    )


def opened(channel: Channel) -> TicketOpenedV1:
    return TicketOpenedV1(**COMMON, channel=channel, subject="s", status=TicketStatus.WAITING, opened_at=NOW)


@pytest.mark.parametrize(
    ("message", "address"),
    [
        (opened(Channel.EMAIL), "maria@example.com"),
        (replied(ActorKind.CUSTOMER, Channel.EMAIL), "maria@example.com"),
        # Only mail from the address proves its mailbox works again.
        (opened(Channel.PORTAL), None),
        (replied(ActorKind.CUSTOMER, Channel.PORTAL), None),
        (replied(ActorKind.AGENT, Channel.EMAIL), None),
    ],
)
def test_an_address_that_writes_to_us_by_email_is_mailed_again(message: Message, address: str | None) -> None:
    assert wrote_to_us(message) == address


def test_only_the_tickets_own_address_is_flagged_by_a_bounce() -> None:
    ours = TicketDeliveryFailedV1(**COMMON, recipient="Maria@Example.com", status="5.1.1", failed_at=NOW)
    other = TicketDeliveryFailedV1(**COMMON, recipient="forwarded@elsewhere.com", failed_at=NOW)
    assert bounced(ours) == "maria@example.com"
    assert bounced(other) is None

"""Free text on the wire never carries NUL: PostgreSQL can store it neither in text nor in jsonb."""

from __future__ import annotations

from datetime import UTC, datetime

from contracts.chat_commands import PostChatMessageV1
from contracts.common import ActorKind, Channel
from contracts.tickets import TicketRequestedV1


def test_a_nul_in_a_mails_subject_or_body_becomes_a_replacement_character() -> None:
    """As mail-ingest may hand it over: the body of a quoted-printable mail with ``=00`` in it."""
    request = TicketRequestedV1(
        request_id="email:<a@b>",
        channel=Channel.EMAIL,
        customer_email="maria@example.com",
        subject="Boleto\x00vencido",
        body="ola\x00mundo",
        received_at=datetime.now(UTC),
    )
    assert (request.subject, request.body) == ("Boleto\ufffdvencido", "ola\ufffdmundo")


def test_a_nul_in_a_chat_message_becomes_a_replacement_character() -> None:
    """Chat keeps its messages' text in PostgreSQL too."""
    message = PostChatMessageV1(
        conversation_id="c1", client_id="m1", author_kind=ActorKind.CUSTOMER, author_id="c", text="oi\x00"
    )
    assert message.text == "oi\ufffd"

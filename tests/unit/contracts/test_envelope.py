"""The envelope and the registry: what every message on the wire looks like."""

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from contracts import REGISTRY, Envelope, UnknownMessage
from contracts.common import Channel
from contracts.tickets import TicketRequestedV1


def request() -> TicketRequestedV1:
    return TicketRequestedV1(
        request_id="mail:abc",
        channel=Channel.EMAIL,
        customer_email=" Maria@Example.COM ",
        subject="Não consigo entrar",
        body="Olá!",
        received_at=datetime(2026, 11, 22, 10, 30, tzinfo=UTC),
    )


def test_wrap_and_open_round_trip_keeps_metadata_and_body() -> None:
    envelope = Envelope.wrap(request(), correlation_id="c-1", causation_id="m-0")
    parsed = Envelope.from_bytes(envelope.to_bytes())
    assert parsed.type == "tickets.TicketRequested"
    assert parsed.version == 1
    assert parsed.correlation_id == "c-1"
    assert parsed.causation_id == "m-0"
    body = REGISTRY.open(parsed)
    assert body == request()
    assert isinstance(body, TicketRequestedV1)
    assert body.customer_email == "maria@example.com"


def test_a_new_envelope_starts_its_own_correlation() -> None:
    envelope = Envelope.wrap(request())
    assert envelope.correlation_id == envelope.message_id
    assert envelope.causation_id is None


def test_consumers_ignore_fields_they_do_not_know() -> None:
    envelope = Envelope.wrap(request())
    data = {**envelope.data, "priority": "urgent"}
    raw = envelope.model_copy(update={"data": data}).to_bytes().replace(b'"type"', b'"extra":1,"type"')
    assert REGISTRY.open(Envelope.from_bytes(raw)) == request()


def test_unknown_type_and_bad_body_are_refused() -> None:
    envelope = Envelope.wrap(request())
    with pytest.raises(UnknownMessage):
        REGISTRY.open(envelope.model_copy(update={"version": 9}))
    with pytest.raises(ValidationError):
        REGISTRY.open(envelope.model_copy(update={"data": {"request_id": ""}}))


def test_malformed_envelope_is_refused() -> None:
    with pytest.raises(ValidationError):
        Envelope.from_bytes(b'{"type": "x"}')
    with pytest.raises(ValidationError):
        Envelope.from_bytes(b"not json")

"""Callers name a ticket before it exists by the same rule the tickets service uses."""

import pytest

from contracts.tickets import ticket_id_for
from tickets.domain.ticket import ticket_id


@pytest.mark.parametrize("request_id", ["portal:open:acc-1:key-1", "mail:<a@b>", "chat:x" * 30])
def test_the_contract_and_the_tickets_service_derive_the_same_id(request_id: str) -> None:
    assert ticket_id_for(request_id) == str(ticket_id(request_id))


def test_different_requests_name_different_tickets() -> None:
    assert ticket_id_for("portal:open:a:1") != ticket_id_for("portal:open:a:2")

"""Guide 000's four statuses, named as the guide names them."""

import pytest

from contracts.tickets import TicketStatus
from tickets.domain.status import Status


@pytest.mark.parametrize(
    ("status", "pt", "en"),
    [
        (TicketStatus.WAITING, "Em espera", "Waiting"),
        (TicketStatus.IN_PROGRESS, "Em andamento", "In progress"),
        (TicketStatus.AWAITING_CUSTOMER, "Aguardando sua resposta", "Awaiting your reply"),
        (TicketStatus.FINISHED, "Finalizado", "Finished"),
    ],
)
def test_labels_are_portuguese_first(status: TicketStatus, pt: str, en: str) -> None:
    assert status.label() == pt
    assert status.label("pt-BR") == pt
    assert status.label("en") == en
    assert status.meaning("pt-BR") and status.meaning("en") and status.meaning() != status.meaning("en")


def test_domain_statuses_are_the_wire_codes() -> None:
    assert [s.value for s in Status] == [s.value for s in TicketStatus]

"""Guide 000's four statuses, named as the guide names them."""

import pytest

from contracts.tickets import TicketStatus
from tickets.domain.status import Status


@pytest.mark.parametrize(
    ("status", "pt", "en"),
    [
        (Status.WAITING, "Em espera", "Waiting"),
        (Status.IN_PROGRESS, "Em andamento", "In progress"),
        (Status.AWAITING_CUSTOMER, "Aguardando sua resposta", "Awaiting your reply"),
        (Status.FINISHED, "Finalizado", "Finished"),
    ],
)
def test_labels_are_portuguese_first(status: Status, pt: str, en: str) -> None:
    assert status.label() == pt
    assert status.label("pt-BR") == pt
    assert status.label("en") == en
    assert status.meaning("pt-BR") and status.meaning("en") and status.meaning() != status.meaning("en")


def test_domain_statuses_are_the_wire_codes() -> None:
    assert [s.value for s in Status] == [s.value for s in TicketStatus]

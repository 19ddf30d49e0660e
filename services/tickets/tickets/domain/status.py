"""Guide 000's ticket statuses with their Brazilian Portuguese and English names."""

from enum import StrEnum


class Status(StrEnum):
    """Where a ticket stands; the values are the wire codes of contracts.tickets.TicketStatus."""

    WAITING = "waiting"
    IN_PROGRESS = "in_progress"
    AWAITING_CUSTOMER = "awaiting_customer"
    FINISHED = "finished"

    def label(self, language: str = "pt-BR") -> str:
        """The name a person reads, pt-BR first, English otherwise."""
        names = _LABELS[self]
        return names[0] if language.lower().startswith("pt") else names[1]

    def meaning(self, language: str = "pt-BR") -> str:
        """What the status tells the customer, as guide 000 explains it."""
        texts = _MEANINGS[self]
        return texts[0] if language.lower().startswith("pt") else texts[1]


_LABELS = {
    Status.WAITING: ("Em espera", "Waiting"),
    Status.IN_PROGRESS: ("Em andamento", "In progress"),
    Status.AWAITING_CUSTOMER: ("Aguardando sua resposta", "Awaiting your reply"),
    Status.FINISHED: ("Finalizado", "Finished"),
}
_MEANINGS = {
    Status.WAITING: (
        "Sua solicitação foi aberta e aguarda atendimento.",
        "Your request was opened and awaits support.",
    ),
    Status.IN_PROGRESS: (
        "Sua solicitação já foi vista e está sendo analisada.",
        "Your request has been seen and is being worked on.",
    ),
    Status.AWAITING_CUSTOMER: (
        "Sua solicitação foi analisada e recebeu comentários do suporte, que aguarda sua resposta.",
        "Support commented on your request and is waiting for your reply.",
    ),
    Status.FINISHED: ("Sua solicitação foi atendida.", "Your request was resolved."),
}

"""Guide 000's ticket statuses (their names for people live with the wire codes, in contracts.tickets)."""

from enum import StrEnum


class Status(StrEnum):
    """Where a ticket stands; the values are the wire codes of contracts.tickets.TicketStatus."""

    WAITING = "waiting"
    IN_PROGRESS = "in_progress"
    AWAITING_CUSTOMER = "awaiting_customer"
    FINISHED = "finished"

"""Request-reply endpoints over the read models: the customer's list, the agent inbox, a history."""

from __future__ import annotations

from uuid import UUID

from contracts import Envelope, Message
from contracts.subjects import GET_TICKET_HISTORY_V1, LIST_CUSTOMER_TICKETS_V1, SEARCH_INBOX_V1
from contracts.ticket_queries import GetTicketHistoryV1, ListCustomerTicketsV1, SearchInboxV1
from plumbing.bus import Bus
from plumbing.errors import NotFound
from tickets.views.queries import TicketQueries


class Queries:
    """Thin: validate (done by the bus), ask the read models, answer."""

    def __init__(self, queries: TicketQueries) -> None:
        self.queries = queries

    async def register(self, bus: Bus) -> None:
        """Serve every query in the tickets queue group."""
        await bus.serve("customer-list", LIST_CUSTOMER_TICKETS_V1, ListCustomerTicketsV1, self.customer_list)
        await bus.serve("inbox", SEARCH_INBOX_V1, SearchInboxV1, self.inbox)
        await bus.serve("history", GET_TICKET_HISTORY_V1, GetTicketHistoryV1, self.history)

    async def customer_list(self, query: ListCustomerTicketsV1, envelope: Envelope) -> Message:
        return await self.queries.customer_list(query)

    async def inbox(self, query: SearchInboxV1, envelope: Envelope) -> Message:
        return await self.queries.inbox(query)

    async def history(self, query: GetTicketHistoryV1, envelope: Envelope) -> Message:
        try:
            ticket_id = str(UUID(query.ticket_id))
        except ValueError:
            raise NotFound("ticket_not_found") from None
        found = await self.queries.history(ticket_id, query.include_internal, query.attachment_id)
        if found is None:
            raise NotFound("ticket_not_found")
        return found

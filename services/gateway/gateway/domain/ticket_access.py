"""Who may see a ticket: its customer (email tickets only once the address is verified) or its agents."""

from __future__ import annotations

from gateway.domain.principal import Principal

PORTAL = "portal"


def customer_may_see(me: Principal, customer_email: str, channel: str) -> bool:
    """A customer sees their own tickets; those that came by email or chat once they proved the address.

    Anyone can sign up with any address, so until it is verified only what the account itself
    opened in the portal is shown.
    """
    return customer_email == me.email.lower() and (me.email_verified or channel == PORTAL)


def agent_may_see(me: Principal, department: str | None) -> bool:
    """An agent sees their departments' tickets and those not routed to any department yet."""
    return department is None or department in me.departments

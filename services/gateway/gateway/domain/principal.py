"""Who is asking: the account behind a request's credential, as every router sees it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from gateway.domain.accounts import ADMIN, AGENT

Kind = Literal["customer", "agent", "admin"]


@dataclass(frozen=True)
class Principal:
    """A logged-in account. ``departments``: an agent's own, every configured one for an admin."""

    account_id: str
    kind: Kind
    email: str
    name: str
    email_verified: bool
    departments: tuple[str, ...]

    @property
    def is_staff(self) -> bool:
        """Agents and admins: the console's users."""
        return self.kind in (AGENT, ADMIN)


def principal(
    account_id: str,
    kind: Kind,
    email: str,
    name: str,
    email_verified: bool,
    departments: tuple[str, ...],
    configured: tuple[str, ...],
) -> Principal:
    """The principal of a stored account; admins see every configured department, customers none."""
    if kind == ADMIN:
        departments = configured
    elif kind != AGENT:
        departments = ()
    return Principal(account_id, kind, email, name, email_verified, departments)

"""Agents and admins: created by an operator (CLI), never by sign-up; born with a verified address."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from uuid import uuid4

from gateway.accounts import store
from gateway.accounts.service import Accounts, refuse
from gateway.domain import accounts as rules
from gateway.domain.principal import Kind, Principal
from plumbing.errors import Conflict, Invalid


@dataclass(frozen=True)
class NewStaff:
    """The created account, and the password generated for it when none was given."""

    principal: Principal
    generated_password: str | None


async def create(
    accounts: Accounts, email: str, name: str, kind: Kind, departments: list[str], password: str | None = None
) -> NewStaff:
    """Create an agent (in at least one configured department) or an admin (sees every department)."""
    if kind not in rules.STAFF_KINDS:
        raise Invalid("invalid", errors=[{"field": "role", "reason": "role_unknown"}])
    name, email = rules.normalise_name(name), rules.normalise_email(email)
    chosen, problems = rules.staff_departments(kind, departments, accounts.settings.departments)
    generated = None if password is not None else secrets.token_urlsafe(15)
    password = password if password is not None else generated
    assert password is not None
    refuse(
        rules.name_problems(name)
        + rules.email_problems(email)
        + rules.password_problems(password, email)
        + problems
    )
    password_hash = await accounts.passwords.hash(password)
    async with accounts.transaction() as conn:
        created = await store.insert_account(
            conn, uuid4(), kind, email, name, password_hash, departments=chosen, verified=True
        )
        if not created:
            raise Conflict("email_in_use", errors=[{"field": "email", "reason": "email_in_use"}])
        account = await store.account_by_email(conn, email)
    assert account is not None
    return NewStaff(accounts.to_principal(account), generated)


async def listed(accounts: Accounts) -> list[Principal]:
    """Every agent and admin, by address."""
    async with accounts.pool.connection() as conn:
        return [accounts.to_principal(account) for account in await store.staff(conn)]

"""The staff commands: open the gateway's database, run one use case, print the outcome."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any

from gateway.accounts import staff
from gateway.accounts.schema import ensure_schema
from gateway.accounts.service import Accounts
from gateway.config import Settings
from gateway.domain.language import ENGLISH
from gateway.domain.messages import text
from gateway.domain.principal import Kind
from plumbing.errors import ServiceError
from plumbing.postgres import open_pool


@asynccontextmanager
async def _accounts(settings: Settings) -> AsyncIterator[Accounts]:
    async with open_pool(settings.postgres_url, max_size=1) as pool:
        await ensure_schema(pool)
        yield Accounts(pool, settings)


async def create(
    settings: Settings, email: str, name: str, role: Kind, departments: list[str], password: str | None
) -> None:
    """Create an agent or admin; print it, and the generated password when none was given."""
    async with _accounts(settings) as accounts:
        new = await staff.create(accounts, email, name, role, departments, password)
    who = new.principal
    print(f"created {who.kind} {who.email} ({who.name}) id={who.account_id}")
    if who.kind == "agent":
        print(f"departments: {', '.join(who.departments)}")
    if new.generated_password is not None:
        print(f"password: {new.generated_password}")


async def show(settings: Settings) -> None:
    """Print every agent and admin, one a line."""
    async with _accounts(settings) as accounts:
        for who in await staff.listed(accounts):
            departments = "(all)" if who.kind == "admin" else ", ".join(who.departments)
            print(f"{who.email}\t{who.kind}\t{who.name}\t{departments}")


def run(settings: Settings, command: Coroutine[Any, Any, None]) -> int:
    """Run a command; a refusal is printed with its fields (and the departments allowed) and exits 1."""
    try:
        asyncio.run(command)
    except ServiceError as refused:
        print(f"error: {text(refused.reason, ENGLISH)}", file=sys.stderr)
        for field in refused.detail.get("errors", []):
            print(f"  {field['field']}: {text(field['reason'], ENGLISH)}", file=sys.stderr)
            if field["reason"] == "department_unknown":
                print(f"  configured departments: {', '.join(settings.departments)}", file=sys.stderr)
        return 1
    return 0

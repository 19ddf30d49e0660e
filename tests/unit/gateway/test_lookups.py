"""Credential lookups of concurrent requests share a statement, and never answer from before the request."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from gateway.accounts.lookups import GroupLookup


class Table:
    """A stand-in for the credentials table: each fetch is one statement, held open until released."""

    def __init__(self, rows: dict[str, str]) -> None:
        self.rows = rows
        self.statements: list[list[str]] = []
        self.release = asyncio.Event()
        self.release.set()

    async def started(self, count: int) -> None:
        """Wait until ``count`` statements have started."""
        while len(self.statements) < count:
            await asyncio.sleep(0)

    async def fetch(self, keys: Sequence[str]) -> dict[str, str]:
        self.statements.append(list(keys))
        snapshot = {key: self.rows[key] for key in keys if key in self.rows}  # read as the statement starts
        await self.release.wait()
        return snapshot


async def test_concurrent_lookups_share_one_statement_and_each_gets_its_own_row() -> None:
    table = Table({"a": "ana", "b": "bia"})
    lookups = GroupLookup(table.fetch)
    table.release.clear()
    first = asyncio.create_task(lookups.get("a"))
    await table.started(1)  # the first goes alone, at once
    others = [asyncio.create_task(lookups.get(key)) for key in ("a", "b", "zzz", "b")]
    await asyncio.sleep(0)
    assert len(table.statements) == 1, "the others wait for the statement in flight"
    table.release.set()
    assert await first == "ana"
    assert await asyncio.gather(*others) == ["ana", "bia", None, "bia"]
    assert table.statements == [["a"], ["a", "b", "zzz"]], "the waiting ones went together, each key once"


async def test_a_lookup_never_answers_from_a_statement_that_started_before_it() -> None:
    table = Table({"token": "ana"})
    lookups = GroupLookup(table.fetch)
    table.release.clear()
    before = asyncio.create_task(lookups.get("token"))
    await table.started(1)  # its statement has read the row
    del table.rows["token"]  # revoked meanwhile
    after = asyncio.create_task(lookups.get("token"))
    await asyncio.sleep(0)
    table.release.set()
    assert await before == "ana"
    assert await after is None, "revoked before this request's statement: refused at once"


async def test_a_failed_statement_fails_its_waiters_and_the_next_one_runs() -> None:
    calls = 0

    async def fetch(keys: Sequence[str]) -> dict[str, str]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("database away")
        return {key: key.upper() for key in keys}

    lookups = GroupLookup(fetch)
    with pytest.raises(ConnectionError):
        await lookups.get("a")
    assert await lookups.get("b") == "B"

"""Command-line entrypoint: serve until SIGTERM/SIGINT, or rebuild the read models from the facts."""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Sequence

from insights.adapters import store
from insights.adapters.rebuild import rebuild
from insights.bootstrap import bootstrap
from insights.config import Settings
from insights.decisions import store as decisions
from plumbing import postgres
from plumbing.lifecycle import run_service


def main(argv: Sequence[str] | None = None) -> int:
    """Read settings from the environment, then run the chosen command (serve by default)."""
    top = argparse.ArgumentParser(prog="python -m insights")
    commands = top.add_subparsers(dest="command")
    commands.add_parser("serve", help="consume ticket and chat facts until SIGTERM/SIGINT (the default)")
    commands.add_parser(
        "rebuild",
        help="drop every record and fold them again from the kept facts (decisions from their events)",
    )
    args = top.parse_args(argv)
    if args.command == "rebuild":
        return asyncio.run(_rebuild(Settings()))
    return run_service("insights", Settings(), bootstrap)


async def _rebuild(settings: Settings) -> int:
    async with postgres.open_pool(settings.postgres_url, max_size=1) as pool, pool.connection() as conn:
        await store.ensure_schema(conn)
        started = time.perf_counter()
        read = await rebuild(conn)
    print(f"rebuilt from {read} facts in {time.perf_counter() - started:.1f} s")
    applied, seconds = await asyncio.to_thread(decisions.rebuild, settings.postgres_url)
    print(f"rebuilt the demands' decisions from {applied} events in {seconds:.1f} s")
    return 0

"""Command-line entrypoint: run the tickets service (default) or rebuild its read models."""

from __future__ import annotations

import argparse

from plumbing.lifecycle import run_service
from tickets.bootstrap import bootstrap
from tickets.config import Settings


def main(argv: list[str] | None = None) -> int:
    """``python -m tickets [serve]`` serves until told to stop; ``rebuild-views`` replays the views."""
    parser = argparse.ArgumentParser(prog="python -m tickets", description="The Atende tickets service.")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="run the service until SIGTERM/SIGINT (the default)")
    commands.add_parser(
        "rebuild-views",
        help="drop the read models (lists, inbox, history, search) and replay every event into them",
    )
    args = parser.parse_args(argv)
    settings = Settings()
    if args.command == "rebuild-views":
        from tickets.views.rebuild import rebuild

        applied, seconds = rebuild(settings.postgres_url)
        rate = applied / seconds if seconds else 0.0
        print(f"rebuilt the tickets views from {applied} events in {seconds:.2f} s ({rate:,.0f} events/s)")
        return 0
    return run_service("tickets", settings, bootstrap)

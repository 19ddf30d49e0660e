"""Command-line entrypoint: run the chat service (default) or rebuild its read models."""

from __future__ import annotations

import argparse

from chat.bootstrap import bootstrap
from chat.config import Settings
from plumbing.lifecycle import run_service


def main(argv: list[str] | None = None) -> int:
    """``python -m chat [serve]`` serves until told to stop; ``rebuild-views`` replays the views."""
    parser = argparse.ArgumentParser(prog="python -m chat", description="The Atende chat service.")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="run the service until SIGTERM/SIGINT (the default)")
    commands.add_parser(
        "rebuild-views", help="drop the read models (queues, chats, entries, search) and replay every event"
    )
    args = parser.parse_args(argv)
    settings = Settings()
    if args.command == "rebuild-views":
        from chat.views.rebuild import rebuild

        applied, seconds = rebuild(settings.postgres_url)
        rate = applied / seconds if seconds else 0.0
        print(f"rebuilt the chat views from {applied} events in {seconds:.2f} s ({rate:,.0f} events/s)")
        return 0
    return run_service("chat", settings, bootstrap)

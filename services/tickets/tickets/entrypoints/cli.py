"""Command-line entrypoint: run the tickets service until SIGTERM/SIGINT."""

from plumbing.lifecycle import run_service
from tickets.bootstrap import bootstrap
from tickets.config import Settings


def main() -> int:
    """Read settings from the environment, then serve until told to stop."""
    return run_service("tickets", Settings(), bootstrap)

"""Command-line entrypoint: run the notifier service until SIGTERM/SIGINT."""

from notifier.bootstrap import bootstrap
from notifier.config import Settings
from plumbing.lifecycle import run_service


def main() -> int:
    """Read settings from the environment, then serve until told to stop."""
    return run_service("notifier", Settings(), bootstrap)

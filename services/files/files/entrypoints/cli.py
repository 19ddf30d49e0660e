"""Command-line entrypoint: run the files service until SIGTERM/SIGINT."""

from files.bootstrap import bootstrap
from files.config import Settings
from plumbing.lifecycle import run_service


def main() -> int:
    """Read settings from the environment, then serve until told to stop."""
    return run_service("files", Settings(), bootstrap)

"""Command-line entrypoint: run the chat service until SIGTERM/SIGINT."""

from chat.bootstrap import bootstrap
from chat.config import Settings
from plumbing.lifecycle import run_service


def main() -> int:
    """Read settings from the environment, then serve until told to stop."""
    return run_service("chat", Settings(), bootstrap)

"""Command-line entrypoint: run the gateway until SIGTERM/SIGINT."""

from gateway.bootstrap import bootstrap
from gateway.config import Settings
from plumbing.lifecycle import run_service


def main() -> int:
    """Read settings from the environment, then serve until told to stop."""
    return run_service("gateway", Settings(), bootstrap)

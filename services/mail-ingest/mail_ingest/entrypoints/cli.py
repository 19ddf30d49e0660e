"""Command-line entrypoint: run the mail-ingest service until SIGTERM/SIGINT."""

from mail_ingest.bootstrap import bootstrap
from mail_ingest.config import Settings
from plumbing.lifecycle import run_service


def main() -> int:
    """Read settings from the environment, then serve until told to stop."""
    return run_service("mail-ingest", Settings(), bootstrap)

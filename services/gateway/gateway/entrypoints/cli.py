"""Command line: ``python -m gateway`` serves; ``staff`` and ``departments`` manage who works the console."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from gateway.bootstrap import bootstrap
from gateway.config import Settings
from gateway.entrypoints import staff
from plumbing.lifecycle import run_service


def parser() -> argparse.ArgumentParser:
    """Every subcommand; with none, the gateway serves until SIGTERM/SIGINT."""
    top = argparse.ArgumentParser(prog="python -m gateway", description="Atende gateway.")
    commands = top.add_subparsers(dest="command")
    commands.add_parser("serve", help="serve HTTP until SIGTERM/SIGINT (the default)")
    commands.add_parser("departments", help="print the configured departments, one a line")
    staff_cmd = commands.add_parser("staff", help="agents and admins").add_subparsers(
        dest="action", required=True
    )
    create = staff_cmd.add_parser("create", help="create an agent or an admin (prints a generated password)")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--role", choices=("agent", "admin"), required=True)
    create.add_argument(
        "--department", action="append", default=[], dest="departments", help="repeat for each (agents)"
    )
    create.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin's first line"
    )
    staff_cmd.add_parser("list", help="list agents and admins")
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Read settings from the environment, then run the chosen command."""
    args = parser().parse_args(argv)
    settings = Settings()
    if args.command in (None, "serve"):
        return run_service("gateway", settings, bootstrap)
    if args.command == "departments":
        print("\n".join(settings.departments))
        return 0
    if args.action == "create":
        password = sys.stdin.readline().rstrip("\r\n") if args.password_stdin else None
        return staff.run(
            settings, staff.create(settings, args.email, args.name, args.role, args.departments, password)
        )
    return staff.run(settings, staff.show(settings))

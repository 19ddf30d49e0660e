"""Command line: python -m devstack {up,exec,check}."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from devstack import launcher
from devstack.infra import INFRA


def _only(text: str) -> list[str]:
    kinds = [part.strip() for part in text.split(",") if part.strip()]
    unknown = sorted(set(kinds) - set(INFRA))
    if unknown or not kinds:
        raise argparse.ArgumentTypeError(f"choose among {','.join(INFRA)} (got {text!r})")
    return kinds


def parser() -> argparse.ArgumentParser:
    """The argparse parser of the devstack command."""
    root = argparse.ArgumentParser(
        prog="python -m devstack",
        description="Atende's local infrastructure and launcher.",
        epilog=launcher.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = root.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="run Atende: infrastructure + every service, until Ctrl-C")
    up.add_argument("--var", type=Path, default=Path("var"), help="data folder (default ./var)")
    run = sub.add_parser("exec", help="run a command with fresh infrastructure (ATENDE_* env set)")
    run.add_argument("--only", type=_only, default=list(INFRA), help=f"subset of {','.join(INFRA)}")
    run.add_argument("--var", type=Path, default=None, help="data folder (default: a temporary one)")
    run.add_argument("cmd", nargs=argparse.REMAINDER, help="-- CMD ARGS...")
    check = sub.add_parser("check", help="probe every service's /readyz of a running `up`")
    check.add_argument("--var", type=Path, default=Path("var"), help="data folder of that `up`")
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments and run the chosen command; returns the exit status."""
    args = parser().parse_args(argv)
    if args.command == "up":
        return launcher.up(args.var)
    if args.command == "exec":
        cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
        return launcher.run_command(cmd, args.only, args.var)
    return launcher.check(args.var)


if __name__ == "__main__":
    sys.exit(main())

"""CLI: python -m bench [--quick] [--only NAME,...] [--out DIR] [--rounds N] [--list] [--no-uvloop]."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

from bench import report
from bench.baselines import BASELINES
from bench.context import BenchContext, Endpoints
from bench.model import Benchmark
from bench.runner import EndpointError, Report, run, select
from bench.scenarios import discover

DEFAULT_OUT = Path(__file__).resolve().parent / "results"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small counts: a smoke run of a few seconds")
    parser.add_argument(
        "--only", type=lambda s: [n.strip() for n in s.split(",") if n.strip()], metavar="NAME,..."
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="directory for latest.md/latest.json")
    parser.add_argument("--rounds", type=int, help="interleaved rounds, pooled (default 3; 1 with --quick)")
    parser.add_argument("--list", action="store_true", help="list baselines and scenarios, then exit")
    parser.add_argument("--no-uvloop", action="store_true", help="use the standard asyncio loop")
    return parser.parse_args(argv)


def loop_factory(no_uvloop: bool) -> tuple[Callable[[], asyncio.AbstractEventLoop] | None, str]:
    """uvloop when importable (as services run), else asyncio's default loop."""
    if not no_uvloop:
        try:
            import uvloop
        except ImportError:
            pass
        else:
            return uvloop.new_event_loop, f"uvloop {version('uvloop')}"
    return None, "asyncio"


async def _main(
    ctx: BenchContext, selected: tuple[list[Benchmark], list[Benchmark]], loop_name: str, rounds: int
) -> Report:
    # SIGTERM cancels like Ctrl-C does, so every finally block deletes its stream or table.
    task = asyncio.current_task()
    if task is not None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    return await run(ctx, *selected, loop_name, rounds)


def main(argv: list[str] | None = None) -> int:
    """Run, print the table, write the outputs; exit 1 if a benchmark failed, 2 if an endpoint is down."""
    args = parse_args(argv)
    if args.list:
        for bench in [*BASELINES.values(), *discover().values()]:
            vs = f" (vs {bench.baseline})" if bench.baseline else ""
            print(f"{bench.name}{vs}: {bench.description}")
        return 0
    rounds = args.rounds or (1 if args.quick else 3)
    if rounds < 1:
        print("bench: --rounds must be at least 1", file=sys.stderr)
        return 2
    try:
        selected = select(args.only)
    except ValueError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    ctx = BenchContext(Endpoints.from_env(), quick=args.quick)
    factory, loop_name = loop_factory(args.no_uvloop)
    public = ctx.endpoints.public()
    print(
        f"endpoints: NATS {public['nats']}, PostgreSQL {public['postgres']}; loop {loop_name}",
        file=sys.stderr,
    )
    try:
        with asyncio.Runner(loop_factory=factory) as runner:
            result = runner.run(_main(ctx, selected, loop_name, rounds))
    except EndpointError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("bench: interrupted; temporary streams and tables were removed", file=sys.stderr)
        return 130
    print(report.render_markdown(result))
    md, js = report.write(result, args.out)
    print(f"wrote {md} and {js}", file=sys.stderr)
    for failed in result.failed:
        print(f"FAILED {failed.name}: {failed.error}", file=sys.stderr)
    return 1 if result.failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""``python -m contracts export [--docs PATH]``: write the JSON Schemas and the messaging document."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from contracts import compat, docs, schemas


def main(argv: list[str] | None = None) -> int:
    """Export schemas (refusing incompatible changes) and render the messaging document."""
    parser = argparse.ArgumentParser(prog="python -m contracts")
    parser.add_argument("command", choices=["export"])
    parser.add_argument("--docs", type=Path, default=Path("docs/messaging.md"))
    args = parser.parse_args(argv)
    old, new = schemas.published(), schemas.current()
    problems = [
        f"{name}: {p}"
        for name in old.keys() & new.keys()
        for p in compat.breaking_changes(old[name], new[name])
    ]
    if problems:
        print("incompatible changes; publish a new version instead:", *problems, sep="\n  ", file=sys.stderr)
        return 1
    for name in schemas.export():
        print(f"wrote contracts/schemas/{name}")
    args.docs.parent.mkdir(parents=True, exist_ok=True)
    args.docs.write_text(docs.render())
    print(f"wrote {args.docs}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

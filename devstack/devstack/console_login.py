"""A console log-in for development: an admin made once per data folder, its password kept there."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from devstack.fleet import Fleet
from devstack.procs import StartupError

DEV_ADMIN_EMAIL = "admin@atende.local"


@dataclass(frozen=True)
class ConsoleLogin:
    """Who logs in to the console of `make up`; ``password`` is None when an earlier run chose it."""

    email: str
    password: str | None


def ensure_dev_admin(var: Path, fleet: Fleet) -> ConsoleLogin:
    """Create the development admin on the first run (gateway's own staff command); later runs reuse it."""
    kept = var / "dev-admin.json"
    if kept.exists():
        saved = json.loads(kept.read_text())
        return ConsoleLogin(saved["email"], saved["password"])
    listed = fleet.command("gateway", "staff", "list")
    if DEV_ADMIN_EMAIL in listed.stdout.split():
        return ConsoleLogin(DEV_ADMIN_EMAIL, None)  # made by hand earlier: its password is theirs
    password = secrets.token_urlsafe(12)
    made = fleet.command(
        "gateway", "staff", "create", "--email", DEV_ADMIN_EMAIL, "--name", "Admin Atende",
        "--role", "admin", "--password-stdin", stdin=password + "\n",
    )  # fmt: skip
    if made.returncode != 0:
        raise StartupError(f"could not create the development admin: {made.stderr or made.stdout}")
    kept.write_text(json.dumps({"email": DEV_ADMIN_EMAIL, "password": password}))
    kept.chmod(0o600)
    return ConsoleLogin(DEV_ADMIN_EMAIL, password)

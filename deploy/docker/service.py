"""Starts one Atende service inside the container image, or checks that it is alive.

The image holds every service; ``ATENDE_SERVICE`` says which one a container runs:

    python service.py run           exec ``python -m <module>`` for $ATENDE_SERVICE
    python service.py healthcheck   GET http://127.0.0.1:<its ops port>/healthz; exit 0 on 200, else 1

Every service, the gateway included, serves /healthz on its private ops port (the gateway's public
HTTP port 8000 serves only the API).

Standard library only: the runtime image has no curl, and this file must not import Atende code
(the health check runs beside the service, in a fresh interpreter, every few seconds).
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

# service name -> (python module, env var holding the ops (health) port, its default)
SERVICES: dict[str, tuple[str, str, int]] = {
    "tickets": ("tickets", "ATENDE_TICKETS_OPS_PORT", 8101),
    "chat": ("chat", "ATENDE_CHAT_OPS_PORT", 8102),
    "mail-ingest": ("mail_ingest", "ATENDE_MAIL_INGEST_OPS_PORT", 8103),
    "notifier": ("notifier", "ATENDE_NOTIFIER_OPS_PORT", 8104),
    "insights": ("insights", "ATENDE_INSIGHTS_OPS_PORT", 8106),
    "files": ("files", "ATENDE_FILES_OPS_PORT", 8105),
    "gateway": ("gateway", "ATENDE_GATEWAY_OPS_PORT", 8100),
}
USAGE = "usage: service.py run|healthcheck  (the service is named by ATENDE_SERVICE)"


def selected(env: dict[str, str] | os._Environ[str] = os.environ) -> str:
    """The service named by ATENDE_SERVICE ("mail_ingest" is accepted for "mail-ingest")."""
    name = env.get("ATENDE_SERVICE", "").strip().lower().replace("_", "-")
    if name not in SERVICES:
        raise SystemExit(f"ATENDE_SERVICE must be one of {', '.join(SERVICES)}; got {name!r}")
    return name


def command(name: str) -> list[str]:
    return [sys.executable, "-m", SERVICES[name][0]]


def health_url(name: str, env: dict[str, str] | os._Environ[str] = os.environ) -> str:
    _, port_var, default = SERVICES[name]
    port = int(env.get(port_var) or default)
    return f"http://127.0.0.1:{port}/healthz"


def healthcheck(url: str, timeout: float = 3.0) -> int:
    try:
        # The URL is built above from a fixed scheme and host: no file:// or remote URL can get in.
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError, ValueError) as exc:
        print(f"healthcheck {url}: {exc}", file=sys.stderr)
        return 1


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in ("run", "healthcheck"):
        print(USAGE, file=sys.stderr)
        return 2
    name = selected()
    if argv[0] == "healthcheck":
        return healthcheck(health_url(name))
    cmd = command(name)
    os.execv(cmd[0], cmd)  # noqa: S606 - replaces this process: the service becomes PID 1 and gets SIGTERM


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

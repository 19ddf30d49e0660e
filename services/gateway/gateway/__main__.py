"""``python -m gateway``: run the gateway alone against an env-given NATS."""

from gateway.entrypoints.cli import main

raise SystemExit(main())

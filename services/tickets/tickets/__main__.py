"""``python -m tickets``: run the tickets service alone against env-given NATS and PostgreSQL."""

from tickets.entrypoints.cli import main

raise SystemExit(main())

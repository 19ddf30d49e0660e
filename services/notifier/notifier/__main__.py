"""``python -m notifier``: run the notifier service alone against env-given NATS and PostgreSQL."""

from notifier.entrypoints.cli import main

raise SystemExit(main())

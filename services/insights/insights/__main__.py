"""``python -m insights``: run the insights service alone against env-given NATS and PostgreSQL."""

from insights.entrypoints.cli import main

raise SystemExit(main())

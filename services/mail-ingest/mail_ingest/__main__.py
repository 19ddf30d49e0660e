"""``python -m mail_ingest``: run the mail_ingest service alone against env-given NATS and PostgreSQL."""

from mail_ingest.entrypoints.cli import main

raise SystemExit(main())

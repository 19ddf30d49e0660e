"""``python -m files``: run the files service alone against env-given NATS and PostgreSQL."""

from files.entrypoints.cli import main

raise SystemExit(main())

"""``python -m chat``: run the chat service alone against env-given NATS and PostgreSQL."""

from chat.entrypoints.cli import main

raise SystemExit(main())

"""Real local infrastructure for running and testing Atende: NATS, PostgreSQL, S3, SMTP, IMAP, launcher."""

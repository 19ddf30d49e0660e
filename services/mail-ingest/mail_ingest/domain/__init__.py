"""The mail-ingest domain: pure rules about incoming mail, no I/O."""

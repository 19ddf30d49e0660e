"""Adapters to the outside world used by mail-ingest."""

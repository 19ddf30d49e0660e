"""Thin ways into the mail-ingest service."""

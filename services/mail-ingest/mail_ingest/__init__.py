"""Atende mail-ingest service: turns mail to the support address into tickets and replies."""

VERSION = "0.1.0"

"""Adapters to the outside world used by the tickets service."""

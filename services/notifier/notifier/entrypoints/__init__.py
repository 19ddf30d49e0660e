"""Thin ways into the notifier service."""

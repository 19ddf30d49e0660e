"""Adapters to the outside world used by the notifier."""

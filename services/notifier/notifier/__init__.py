"""Atende notifier service: emails customers when their requests are answered or change status."""

VERSION = "0.1.0"

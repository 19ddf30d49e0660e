"""Shared plumbing for Atende services: bus, settings, logging, lifecycle, health and metrics."""

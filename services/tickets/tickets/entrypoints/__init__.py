"""Thin ways into the tickets service."""

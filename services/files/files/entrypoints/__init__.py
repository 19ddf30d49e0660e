"""Thin ways into the files service."""

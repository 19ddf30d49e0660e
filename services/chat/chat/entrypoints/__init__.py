"""Thin ways into the chat service."""

"""Atende chat service: live conversations between customers and agents, event-sourced."""

VERSION = "0.1.0"

"""Atende tickets service: guide 000's "solicitações", event-sourced."""

VERSION = "0.1.0"

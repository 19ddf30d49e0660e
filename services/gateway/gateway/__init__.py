"""Atende gateway: the HTTP/WebSocket face of Atende; translates to NATS, holds no business rule."""

VERSION = "0.1.0"

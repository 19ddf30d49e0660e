"""Thin ways into the gateway: HTTP routers live in gateway.routers; this is the CLI."""

"""Attachments through the gateway: bytes streamed to and from the files service, access checked here."""

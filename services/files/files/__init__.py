"""Atende files service: validates attachments and keeps them in S3-compatible storage."""

VERSION = "0.1.0"

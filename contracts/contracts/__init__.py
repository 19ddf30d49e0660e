"""Versioned messages and subject names: the only language between Atende services."""

from contracts.envelope import Envelope, Message
from contracts.registry import REGISTRY, UnknownMessage, message_type

__all__ = ["REGISTRY", "Envelope", "Message", "UnknownMessage", "message_type"]

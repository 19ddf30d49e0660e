"""Every message class by type and version, so a consumer can open any envelope."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

from contracts.envelope import Envelope, Message

M = TypeVar("M", bound=type[Message])


class UnknownMessage(LookupError):
    """An envelope names a type/version this build does not know."""


class Registry:
    """Maps ``type.vN`` keys to message classes."""

    def __init__(self) -> None:
        self._classes: dict[str, type[Message]] = {}

    def add(self, cls: type[Message]) -> None:
        """Register ``cls``; a second class under the same key is a programming error."""
        key = cls.type_key()
        if self._classes.get(key, cls) is not cls:
            raise ValueError(f"message type {key} registered twice")
        self._classes[key] = cls

    def get(self, key: str) -> type[Message]:
        """The class for ``key``; raises UnknownMessage."""
        try:
            return self._classes[key]
        except KeyError:
            raise UnknownMessage(key) from None

    def open(self, envelope: Envelope) -> Message:
        """The typed body of ``envelope``; raises UnknownMessage or pydantic.ValidationError."""
        return self.get(envelope.type_key).model_validate(envelope.data)

    def __iter__(self) -> Iterator[type[Message]]:
        return iter(sorted(self._classes.values(), key=lambda cls: cls.type_key()))


REGISTRY = Registry()


def message_type(type_name: str, version: int) -> Callable[[M], M]:
    """Class decorator: name and version a message class and register it."""

    def register(cls: M) -> M:
        cls.TYPE = type_name
        cls.VERSION = version
        REGISTRY.add(cls)
        return cls

    return register

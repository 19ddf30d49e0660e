"""The domain's values in their wire form (contracts.chat)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chat.domain.entries import Entry, entry_of
from chat.domain.summary import Summary
from contracts.chat import ChatEntry, ConversationStatus, ConversationSummary


def summary(value: Summary) -> ConversationSummary:
    """A conversation summary as answers and frames carry it (no queue position: the views know it)."""
    fields = dict(vars(value))  # shallow: asdict would deep-copy every value
    fields["conversation_id"] = str(value.conversation_id)
    fields["status"] = ConversationStatus(value.status.value)
    fields["rating"] = None if value.rating is None else vars(value.rating)
    return ConversationSummary.model_validate(fields)


def entry(value: Entry) -> ChatEntry:
    """One entry as answers and frames carry it."""
    return ChatEntry.model_validate(vars(value))


def entries(events: Iterable[Any]) -> list[ChatEntry]:
    """The entries these events add, in order."""
    return [entry(found) for found in map(entry_of, events) if found is not None]

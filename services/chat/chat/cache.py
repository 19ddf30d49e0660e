"""Recently active conversations kept in memory, so a message costs no read of the event store."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from uuid import UUID

from chat.domain.conversation import Conversation


class Recent:
    """A least-recently-used map of conversations as last saved by this process.

    Only the writer's thread touches it (one batch at a time), so it needs no lock. An entry may
    lag behind another replica's writes: the writer fast-forwards what it takes before deciding,
    and a lost race fails the save on its version, after which the entries are dropped and reloaded.
    """

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[UUID, Conversation] = OrderedDict()

    def take(self, ids: Iterable[UUID]) -> dict[UUID, Conversation]:
        """The cached ones among ``ids`` (marked as just used)."""
        found: dict[UUID, Conversation] = {}
        for conversation_id in ids:
            conversation = self._items.get(conversation_id)
            if conversation is not None:
                self._items.move_to_end(conversation_id)
                found[conversation_id] = conversation
        return found

    def put(self, conversations: Iterable[Conversation]) -> None:
        """Remember these (saved, with no pending events); the least recently used fall out."""
        for conversation in conversations:
            self._items[conversation.id] = conversation
            self._items.move_to_end(conversation.id)
        while len(self._items) > self.maxsize:
            self._items.popitem(last=False)

    def evict(self, ids: Iterable[UUID]) -> None:
        """Forget these: they may hold changes that were never saved."""
        for conversation_id in ids:
            self._items.pop(conversation_id, None)

    def __len__(self) -> int:
        return len(self._items)

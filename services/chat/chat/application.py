"""The chat service layer: an eventsourcing Application that saves batches of changes as one transaction."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.persistence import IntegrityError, Recording, StoredEvent
from eventsourcing.postgres import PostgresDatastore
from psycopg import sql

from chat.cache import Recent
from chat.changes import Change, ConversationNotFound, Outcome
from chat.domain.conversation import Conversation
from chat.domain.transitions import Refused
from plumbing.logging import get_logger
from plumbing.projection import Alongside

log = get_logger(__name__)
Result = Outcome | Exception  # a change's outcome, or why it was refused or failed
CONFLICT_RETRIES = 5
# After seeing another writer's events (a gap in our notification ids, or a lost race), check the
# cache against the store before every batch for this long.
OTHERS_SEEN_S = 60.0


class Busy(Exception):
    """The batch kept losing version races with another replica; the caller may retry."""


class _Unchecked(Exception):
    """A change recorded nothing on a cached copy nobody checked: check it against the store first."""


class _Poisoned(Exception):
    """A change raised something unexpected: the batch is redone without it."""

    def __init__(self, index: int, error: Exception) -> None:
        super().__init__(repr(error))
        self.index, self.error = index, error


class Conversations(Application[UUID]):
    """Conversations: changes decided on in-memory aggregates, saved many conversations per transaction."""

    name = "Conversations"
    # Snapshots are taken here from the aggregate in memory (see _snapshot), not by re-reading it.
    is_snapshotting_enabled = True

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        *,
        cache_size: int = 5000,
        snapshot_every: int = 100,
    ) -> None:
        super().__init__(env)
        self.clock = clock
        self.snapshot_every = snapshot_every
        self.recent = Recent(cache_size)
        self._last_id: int | None = None  # the notification id of our last saved event
        self._others_until = 0.0  # (monotonic) until when other writers are assumed active
        datastore = getattr(self.factory, "datastore", None)
        # Raw SQL only on PostgreSQL; in-memory and SQLite stores (tests) fast-forward per conversation.
        self._datastore: Any = datastore if isinstance(datastore, PostgresDatastore) else None
        self.events_table: sql.Identifier | None = None  # (readers of the tail behind the views)
        # Set by the composition root: one save, one commit, views included (plumbing.projection).
        self.alongside: Callable[[list[Any]], Alongside] | None = None
        if self._datastore is not None:
            events: str = getattr(self.recorder, "events_table_name", "stored_events")
            self.events_table = sql.Identifier(self._datastore.schema or "public", events)
            # Every event after each cached version, for many conversations in one round trip.
            self._newer = sql.SQL(
                "SELECT e.originator_id, e.originator_version, e.topic, e.state "
                "FROM unnest(%s::uuid[], %s::bigint[]) AS c(id, version) "
                "JOIN {events} e ON e.originator_id = c.id AND e.originator_version > c.version "
                "ORDER BY e.originator_id, e.originator_version"
            ).format(events=self.events_table)

    def run(self, changes: Sequence[Change]) -> tuple[list[Result], int | None]:
        """Decide every change in order and save them all in one transaction (group commit).

        Returns each change's outcome or refusal, and the notification id of the last event saved
        (None if nothing changed). Losing a version race to another replica redoes the batch on
        freshly loaded aggregates; a change that raises unexpectedly is left out and the rest redone.
        """
        results: list[Result | None] = [None] * len(changes)
        pending = list(range(len(changes)))
        conflicts, check = 0, False
        while True:
            try:
                position = self._attempt(changes, pending, results, trust_new=conflicts == 0, check=check)
            except IntegrityError:
                self._others_until = time.monotonic() + OTHERS_SEEN_S
                conflicts += 1
                if conflicts > CONFLICT_RETRIES:
                    raise Busy from None
                continue
            except _Unchecked:
                check = True
                continue
            except _Poisoned as poisoned:
                results[poisoned.index] = poisoned.error
                pending.remove(poisoned.index)
                continue
            return [result if result is not None else Busy() for result in results], position

    def get(self, conversation: UUID) -> Conversation | None:
        """The conversation as stored (not the writer's cache), or None."""
        try:
            found: Any = self.repository.get(conversation)
        except AggregateNotFoundError:
            return None
        assert isinstance(found, Conversation)
        return found

    def _attempt(
        self,
        changes: Sequence[Change],
        pending: list[int],
        results: list[Result | None],
        *,
        trust_new: bool,
        check: bool,
    ) -> int | None:
        """One try at the batch.

        The cache holds what this process saved. While no other writer is about (our notification
        ids follow each other without gaps) it is the truth and is used as is: a save that still
        loses a race fails on its version. A change that records nothing (a refusal, a retry) on
        such an unchecked copy is only believed after a check against the store.
        """
        ids = list(dict.fromkeys(changes[i].conversation_id for i in pending))
        # A start is inserted without a read: a repeated one fails the insert and is redone with reads.
        creating = {changes[i].conversation_id for i in pending if changes[i].creates} if trust_new else set()
        creating -= {changes[i].conversation_id for i in pending if not changes[i].creates}
        batch: dict[UUID, Conversation | None] = {}
        try:
            cached = self.recent.take(ids)
            unchecked: set[UUID] = set()
            if check or time.monotonic() < self._others_until:
                self._fast_forward(cached)
            else:
                unchecked = set(cached)
            batch.update(cached)
            for conversation_id in ids:
                if conversation_id not in batch:
                    batch[conversation_id] = (
                        None if conversation_id in creating else self.get(conversation_id)
                    )
            versions = {cid: found.version if found else 0 for cid, found in batch.items()}
            for index in pending:
                result = results[index] = self._decide(index, changes[index], batch)
                if changes[index].conversation_id in unchecked and not (
                    isinstance(result, Outcome) and result.events
                ):
                    raise _Unchecked
            changed = [found for found in batch.values() if found is not None and found.pending_events]
            recordings = self._store(changed) if changed else []
        except BaseException:
            # Whatever is in hand may hold unsaved changes, or be stale: never keep it.
            self.recent.evict(ids)
            raise
        self.recent.put(found for found in batch.values() if found is not None)
        self._snapshot(changed, versions)
        if not recordings:
            return None
        first, last = recordings[0].notification.id, recordings[-1].notification.id
        if self._last_id is not None and first != self._last_id + 1:
            self._others_until = time.monotonic() + OTHERS_SEEN_S  # someone else wrote in between
        self._last_id = last
        return last

    def _store(self, changed: Sequence[Conversation]) -> list[Recording[UUID]]:
        """Save these conversations' new events in one transaction.

        What ``Application.save`` does, minus its per-object runtime-protocol checks, which cost
        more than the rest of the decision for a message.
        """
        processing: ProcessingEvent[UUID] = ProcessingEvent()
        for conversation in changed:
            processing.events.extend(conversation.collect_events())
            processing.aggregates[conversation.id] = conversation
        hook = self.alongside(processing.events) if self.alongside is not None else None
        if hook is not None:
            processing.saved_kwargs["within"] = hook
        recordings = self._record(processing)
        if hook is not None:
            hook.committed()
        self._notify(recordings)
        return recordings

    def _decide(self, index: int, change: Change, batch: dict[UUID, Conversation | None]) -> Result:
        current = batch[change.conversation_id]
        before = len(current.pending_events) if current is not None else 0
        try:
            after, value = change.decide(current, self.clock())
        except (Refused, ConversationNotFound) as refused:
            return refused  # decided before anything was recorded: the aggregate is untouched
        except Exception as exc:
            raise _Poisoned(index, exc) from exc
        batch[change.conversation_id] = after
        recorded = after.pending_events[before if after is current else 0 :]
        return Outcome(after.summary(), tuple(recorded), value)

    def _fast_forward(self, cached: dict[UUID, Conversation]) -> None:
        """Bring cached conversations up to what other replicas saved since (usually nothing)."""
        if not cached:
            return
        if self._datastore is None:
            for conversation_id, conversation in cached.items():
                for newer in self.events.get(originator_id=conversation_id, gt=conversation.version):
                    _mutate(newer, conversation)
            return
        ids = list(cached)
        with self._datastore.get_connection() as conn, conn.cursor() as cursor:
            cursor.execute(self._newer, (ids, [cached[i].version for i in ids]), prepare=True)
            rows = cursor.fetchall()
        for row in rows:
            stored = StoredEvent(
                originator_id=row["originator_id"],
                originator_version=row["originator_version"],
                topic=row["topic"],
                state=bytes(row["state"]),
            )
            _mutate(self.mapper.to_domain_event(stored), cached[row["originator_id"]])

    def _snapshot(self, saved: Sequence[Conversation], versions: dict[UUID, int]) -> None:
        """Snapshot each conversation that passed a multiple of ``snapshot_every``, from memory."""
        if self.snapshots is None:
            return
        every = self.snapshot_every
        due = [c for c in saved if c.version // every > versions.get(c.id, 0) // every]
        if not due:
            return
        try:
            self.snapshots.put([Conversation.Snapshot.take(conversation) for conversation in due])
        except Exception as exc:
            # A snapshot only speeds up loading; the events are saved, so this can wait for the next one.
            log.warning("chat.snapshot_failed", error=repr(exc))


def _mutate(event: Any, conversation: Conversation) -> None:
    """Apply an event saved elsewhere to a cached conversation (checks it is the next version)."""
    event.mutate(conversation)

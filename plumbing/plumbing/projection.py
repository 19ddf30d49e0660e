"""Read models that follow an event store, with their position saved in the same transaction.

A ``View`` turns a batch of domain events into table changes. The ``Projector`` reads the
application's notification log after the view's saved position, lets the view apply the batch and
saves the new position — all in one PostgreSQL transaction, under a lock on the view's position
row. A crash mid-batch rolls the whole batch back, so a restart neither skips nor repeats an event;
replicas take turns instead of applying a batch twice. Dropping a view and replaying from zero is
``rebuild``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from typing import Any, Protocol

from eventsourcing.application import Application
from eventsourcing.persistence import Notification
from psycopg import Connection, Cursor, sql

from plumbing.crashpoints import crashpoint
from plumbing.eventstore import pool_checker
from plumbing.logging import get_logger
from plumbing.worker import Loop

log = get_logger(__name__)
_POSITIONS = """
CREATE TABLE IF NOT EXISTS projection_positions (
    name text PRIMARY KEY,
    position bigint NOT NULL DEFAULT 0,
    rebuilt_at timestamptz
)"""


class View(Protocol):
    """One read model: its tables and how a batch of events changes them (rows come as dicts)."""

    name: str

    def create(self, cursor: Cursor[Any]) -> None:
        """Create the view's tables and indexes if missing."""

    def drop(self, cursor: Cursor[Any]) -> None:
        """Drop the view's tables."""

    def apply(self, cursor: Cursor[Any], events: Sequence[Any]) -> None:
        """Apply ``events`` (in notification order) to the tables."""


class Projector:
    """Keeps one view up to date with an application's events, in batches."""

    def __init__(self, app: Application[Any], view: View, *, batch: int = 500, poll_s: float = 1.0) -> None:
        datastore = getattr(app.factory, "datastore", None)
        if datastore is None:
            raise TypeError("projections need the PostgreSQL event store")
        self.app = app
        self.view = view
        self.datastore = datastore
        self.batch = batch
        self.poll_s = poll_s
        events = sql.Identifier(datastore.schema or "public", app.recorder.events_table_name)  # type: ignore[attr-defined]
        # The saved position, locked (replicas and a rebuild take turns), and the events after it.
        self._next_batch = sql.SQL(
            "WITH saved AS (SELECT position FROM projection_positions WHERE name = %s FOR UPDATE) "
            "SELECT saved.position, e.notification_id, e.originator_id, e.originator_version, e.topic, e.state "
            "FROM saved LEFT JOIN LATERAL (SELECT * FROM {events} WHERE notification_id > saved.position "
            "ORDER BY notification_id LIMIT %s) e ON true ORDER BY e.notification_id"
        ).format(events=events)
        # Under the event store's table lock, before a save's insert: whether the view holds every
        # event (Alongside). Its row stays locked to the save's commit: replicas take turns.
        self.caught_up = sql.SQL(
            "SELECT p.position >= coalesce((SELECT max(notification_id) FROM {events}), 0) AS caught_up "
            "FROM projection_positions p WHERE p.name = %s FOR UPDATE OF p"
        ).format(events=events)
        self.moved = "UPDATE projection_positions SET position = %s WHERE name = %s"
        self.position = 0
        # PostgreSQL away, or a bug in the view: a failed batch rolled back; retry from the same place.
        self.worker = Loop(
            f"projector:{view.name}", self._catch_up, poll_s=poll_s, on_error=pool_checker(app)
        )

    # Synchronous core (runs in a thread; also used by the rebuild command).

    def create(self) -> None:
        """Create the positions table, the view's tables and its position row, if missing."""
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(_POSITIONS)
            self.view.create(cursor)
            cursor.execute(
                "INSERT INTO projection_positions (name) VALUES (%s) ON CONFLICT DO NOTHING",
                (self.view.name,),
            )

    def step(self) -> int:
        """Apply the next batch, if any; returns how many events it held.

        One transaction in one pipeline, two round trips to PostgreSQL (BEGIN and the batch; the
        view's rows, the position and COMMIT), so read-your-writes waits stay short: psycopg's own
        ``transaction()`` inside a pipeline syncs on the way in and out, twice more. Views therefore
        write with execute/executemany (pipelined), not COPY. A step that fails is rolled back and its
        connection closed (see ``plumbing.eventstore``: psycopg's statement cache is suspect then).
        """
        with self.datastore.get_connection() as conn:
            try:
                position, applied = self._step(conn)
            except BaseException:
                with contextlib.suppress(Exception):
                    conn.rollback()
                conn.close()
                raise
        self.position = position
        return applied

    def _step(self, conn: Connection[Any]) -> tuple[int, int]:
        with conn.pipeline() as pipeline, conn.cursor() as cursor:
            cursor.execute(b"BEGIN", prepare=False)
            cursor.execute(self._next_batch, (self.view.name, self.batch), prepare=True)
            pipeline.sync()
            rows = cursor.fetchall()
            position = int(rows[0]["position"]) if rows else 0
            notifications = [
                Notification(
                    id=row["notification_id"],
                    originator_id=row["originator_id"],
                    originator_version=row["originator_version"],
                    topic=row["topic"],
                    state=bytes(row["state"]),
                )
                for row in rows
                if row["notification_id"] is not None
            ]
            if notifications:
                to_event = self.app.mapper.to_domain_event
                self.view.apply(cursor, [to_event(n) for n in notifications])
                crashpoint("projection.mid_batch")  # tests: kill -9 with rows written, position not
                position = notifications[-1].id
                cursor.execute(self.moved, (position, self.view.name), prepare=True)
            # A durable commit (not synchronous_commit = off): answers promise that the views show
            # the change (include), and a PostgreSQL crash must not take it back from the views,
            # else a customer would get 404 for the ticket they were just told was opened.
            cursor.execute(b"COMMIT", prepare=False)
        return position, len(notifications)

    def rebuild(self) -> tuple[int, float]:
        """Drop the view and replay every event; returns (events applied, seconds taken)."""
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(_POSITIONS)
            cursor.execute(
                "INSERT INTO projection_positions (name) VALUES (%s) ON CONFLICT DO NOTHING",
                (self.view.name,),
            )
            cursor.execute(
                "SELECT position FROM projection_positions WHERE name = %s FOR UPDATE", (self.view.name,)
            )
            self.view.drop(cursor)
            self.view.create(cursor)
            cursor.execute(
                "UPDATE projection_positions SET position = 0, rebuilt_at = now() WHERE name = %s",
                (self.view.name,),
            )
        started = time.perf_counter()
        applied = 0
        while count := self.step():
            applied += count
        return applied, time.perf_counter() - started

    # The background worker.

    async def start(self) -> None:
        """Create the tables, then follow the log in the background."""
        await asyncio.to_thread(self.create)
        self.worker.start()

    def nudge(self) -> None:
        """New events were recorded: look now instead of at the next poll. Safe from any thread."""
        self.worker.nudge()

    def alongside(self, events: Sequence[Any]) -> Alongside:
        """A hook for the save of ``events`` (``app.save(..., within=hook)``) that applies them to the
        view in the save's own transaction, when the view already holds everything before them."""
        return Alongside(self, events)

    def include(self, position: int) -> None:
        """Apply batches until the view includes notification ``position`` (read-your-writes).

        Called in the thread that just saved, right after the save: the answer to a command then
        leaves with the views already showing it, without waiting for the background loop. Never
        raises: the save happened; if the view cannot follow now, the background loop catches up.
        """
        try:
            while self.position < position and self.step():
                pass
        except Exception as exc:
            log.warning("projection.behind", view=self.view.name, position=self.position, error=repr(exc))

    async def stop(self) -> None:
        """Finish the batch in hand and stop."""
        await self.worker.stop()

    async def _catch_up(self) -> None:
        while await asyncio.to_thread(self.step) and not self.worker.stopping:
            pass


class Alongside:
    """One save's events, applied to a view in the save's transaction (``Projector.alongside``).

    The save holds the event store's table lock, so every earlier event is committed: the view takes
    these only if its position is the last of them. No read of the log, no decoding, no commit of its
    own; the question rides with the insert and the rows with the commit (``plumbing.eventstore``).
    The view's trouble never fails the save: the background loop then meets it (and logs it).
    """

    def __init__(self, projector: Projector, events: Sequence[Any]) -> None:
        self.projector = projector
        self.events = list(events)
        self.applied_to: int | None = None
        self._answer: Cursor[Any] | None = None

    def ask(self, conn: Connection[Any]) -> None:
        self.applied_to = None  # a retried save asks again, in a new transaction
        self._answer = conn.cursor()
        self._answer.execute(self.projector.caught_up, (self.projector.view.name,), prepare=True)

    def write(self, conn: Connection[Any], ids: Sequence[int]) -> None:
        assert self._answer is not None
        row = self._answer.fetchone()  # (the event store's cursors make dict rows)
        if row is None or not row["caught_up"] or len(ids) != len(self.events):
            return
        with conn.cursor() as cursor:
            self.projector.view.apply(cursor, self.events)
            crashpoint("projection.alongside")  # tests: kill -9 with the save's events and rows unsaved
            cursor.execute(self.projector.moved, (ids[-1], self.projector.view.name), prepare=True)
        self.applied_to = ids[-1]

    def failed(self, error: Exception) -> None:
        self.applied_to = None
        log.warning("projection.alongside_failed", view=self.projector.view.name, error=repr(error))

    def committed(self) -> None:
        """The save committed: the view is known to include it (read-your-writes needs no step)."""
        if self.applied_to is not None:
            self.projector.position = max(self.projector.position, self.applied_to)

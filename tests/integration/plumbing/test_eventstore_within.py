"""A save with a view alongside (``Within``) on real PostgreSQL: two round trips, the view's rows
committed with the events or not at all, and no failure of the view ever failing a save — this one
or any later one on the same pooled connections. The view's own step is two round trips too."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError
from eventstore_notes import Note, Notes
from psycopg._pipeline_base import BasePipeline

from plumbing.eventstore import postgres_env
from plumbing.projection import Projector

SAVES_AFTER = 15  # past psycopg's prepare threshold (5) on each of the pool's connections


class Texts:
    """A view of every note's text; fails on one batch (in PostgreSQL or in Python) when told to."""

    name = "note_texts"

    def __init__(self) -> None:
        self.fail_on: int | None = None
        self.in_postgresql = True
        self.batches = 0

    def create(self, cursor: psycopg.Cursor[Any]) -> None:
        cursor.execute("CREATE TABLE IF NOT EXISTS note_texts (id uuid PRIMARY KEY, text text NOT NULL)")

    def drop(self, cursor: psycopg.Cursor[Any]) -> None:
        cursor.execute("DROP TABLE IF EXISTS note_texts")

    def apply(self, cursor: psycopg.Cursor[Any], events: Sequence[Any]) -> None:
        self.batches += 1
        if self.batches == self.fail_on and self.in_postgresql:
            # Late enough that the rows below are queued before the error comes back: the server skips
            # them, the sixth use of their statement (which psycopg prepares) included.
            cursor.execute("SELECT pg_sleep(0.2), 1 / 0")
        elif self.batches == self.fail_on:
            raise RuntimeError("crash while queuing")
        for e in events:  # one statement per row: a batch of eight crosses psycopg's prepare threshold
            cursor.execute(
                "INSERT INTO note_texts (id, text) VALUES (%s, %s) ON CONFLICT (id) DO UPDATE SET text = %s",
                (e.originator_id, e.text, e.text),
            )


@pytest.fixture
def app(postgres_url: str) -> Iterator[Notes]:
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS note_texts")
        conn.execute("DROP TABLE IF EXISTS notes_events")
        conn.execute("DROP TABLE IF EXISTS notes_snapshots")
        with contextlib.suppress(psycopg.errors.UndefinedTable):
            conn.execute("DELETE FROM projection_positions WHERE name = 'note_texts'")
    notes = Notes(env=postgres_env(postgres_url))
    yield notes
    notes.close()


@pytest.fixture
def view(app: Notes) -> tuple[Projector, Texts]:
    texts = Texts()
    projector = Projector(app, texts, batch=50)
    projector.create()
    return projector, texts


def save(app: Notes, projector: Projector | None, *notes: Note) -> None:
    if projector is None:
        app.save(*notes)
        return
    hook = projector.alongside([e for note in notes for e in note.pending_events])
    app.save(*notes, within=hook)
    hook.committed()


def texts_and_position(postgres_url: str) -> tuple[int, int]:
    with psycopg.connect(postgres_url) as conn:
        rows = conn.execute("SELECT count(*) FROM note_texts").fetchone()
        position = conn.execute(
            "SELECT position FROM projection_positions WHERE name = 'note_texts'"
        ).fetchone()
    assert rows is not None and position is not None
    return int(rows[0]), int(position[0])


def counted_syncs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every Sync that psycopg's pipelines send from now on (one round trip each)."""
    syncs: list[int] = []
    enqueue = BasePipeline._enqueue_sync

    def counted(pipeline: BasePipeline) -> None:
        syncs.append(1)
        enqueue(pipeline)

    monkeypatch.setattr(BasePipeline, "_enqueue_sync", counted)
    return syncs


def test_a_save_with_its_view_is_two_round_trips_and_commits_both(
    app: Notes, view: tuple[Projector, Texts], postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    projector, _ = view
    save(app, projector, Note("aquece"))  # the pool's first connection, prepared statements
    syncs = counted_syncs(monkeypatch)
    save(app, projector, Note("um"), Note("dois"))
    assert len(syncs) == 2, "lock, question and insert; then the view's rows and the commit"
    last = app.recorder.max_notification_id()
    assert texts_and_position(postgres_url) == (3, last) and projector.position == last


def test_a_step_of_the_view_is_two_round_trips(
    app: Notes, view: tuple[Projector, Texts], postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    projector, _ = view
    save(app, None, Note("um"), Note("dois"))  # not along: left to the step
    syncs = counted_syncs(monkeypatch)
    assert projector.step() == 2
    assert len(syncs) == 2, "the batch; then the view's rows, the position and the commit"
    assert texts_and_position(postgres_url) == (2, app.recorder.max_notification_id())
    del syncs[:]
    assert projector.step() == 0 and len(syncs) == 2, "nothing new: the position row's lock let go"


def test_a_lost_race_keeps_neither_events_nor_rows_and_later_saves_go_on(
    app: Notes, view: tuple[Projector, Texts], postgres_url: str
) -> None:
    projector, _ = view
    first = Note("primeira")
    save(app, projector, first)
    mine, rival = app.repository.get(first.id), app.repository.get(first.id)
    mine.amend("de um")
    rival.amend("de outro")
    save(app, projector, mine)
    with pytest.raises(IntegrityError):
        save(app, projector, Note("no mesmo lote"), rival)
    assert texts_and_position(postgres_url) == (1, app.recorder.max_notification_id())
    for n in range(SAVES_AFTER):
        save(app, projector, Note(f"depois {n}"))
    assert texts_and_position(postgres_url) == (1 + SAVES_AFTER, app.recorder.max_notification_id())


def test_a_view_behind_is_left_to_its_loop_and_every_save_still_goes_in(
    app: Notes, view: tuple[Projector, Texts], postgres_url: str
) -> None:
    projector, _ = view
    save(app, None, Note("de outra réplica"))  # bypassed the view: it is behind from now on
    for n in range(SAVES_AFTER):
        save(app, projector, Note(f"com a vista atrás {n}"))
    assert texts_and_position(postgres_url) == (0, 0), "never applied with a gap before it"
    assert projector.step() == 1 + SAVES_AFTER
    assert texts_and_position(postgres_url) == (1 + SAVES_AFTER, app.recorder.max_notification_id())
    save(app, projector, Note("em dia de novo"))
    assert texts_and_position(postgres_url) == (2 + SAVES_AFTER, app.recorder.max_notification_id())


@pytest.mark.parametrize("in_postgresql", [True, False], ids=["in_postgresql", "in_python"])
def test_a_view_that_fails_never_fails_this_save_or_any_later_one(
    app: Notes, view: tuple[Projector, Texts], postgres_url: str, in_postgresql: bool
) -> None:
    projector, texts = view
    texts.fail_on, texts.in_postgresql = 2, in_postgresql
    save(app, projector, Note("antes"))
    before = app.recorder.max_notification_id()
    save(app, projector, *(Note(f"no lote que falha {n}") for n in range(8)))
    assert app.recorder.max_notification_id() == before + 8, "the events are saved"
    assert texts_and_position(postgres_url) == (1, before) and projector.position == before
    for n in range(SAVES_AFTER):
        save(app, projector, Note(f"depois {n}"))  # the view is behind: saved, left to its loop
    assert projector.step() == 8 + SAVES_AFTER
    for n in range(SAVES_AFTER):
        save(app, projector, Note(f"em dia {n}"))
    assert texts_and_position(postgres_url) == (9 + 2 * SAVES_AFTER, app.recorder.max_notification_id())

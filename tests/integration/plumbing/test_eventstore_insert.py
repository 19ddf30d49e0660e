"""The event store's insert (column arrays, no NOTIFY) keeps the library's guarantees."""

from __future__ import annotations

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError
from eventstore_notes import Note, Notes

from plumbing.eventstore import postgres_env

# What a composite's text form must quote or escape, and a NUL, which only bytea carries.
AWKWARD = 'aspas " barra \\ vírgula , parênteses () chaves {} NUL \x00 fim'


def test_events_and_snapshots_come_back_byte_for_byte_with_ids_in_insert_order(postgres_url: str) -> None:
    app = Notes(env=postgres_env(postgres_url))
    try:
        notes = [Note(f"{AWKWARD} {n}") for n in range(5)]
        for note in notes:
            note.amend(f"{note.text} emendada")
            note.amend(AWKWARD)
        recordings = app.save(*notes)
        ids = [recording.notification.id for recording in recordings]
        assert len(ids) == 15 and ids == sorted(ids)
        for n, note in enumerate(notes):
            # From its snapshot (at version 2) and the event after it, then from its first event alone.
            assert app.repository.get(note.id).text == AWKWARD
            assert app.repository.get(note.id, version=1).text == f"{AWKWARD} {n}"
            assert app.snapshots is not None and len(list(app.snapshots.get(note.id))) == 1
        log = app.recorder.select_notifications(start=ids[0], limit=100)
        assert [n.id for n in log] == ids
        assert [(n.originator_id, n.originator_version) for n in log] == [
            (r.domain_event.originator_id, r.domain_event.originator_version) for r in recordings
        ]
        assert [n.state for n in log] == [
            app.mapper.to_stored_event(r.domain_event).state for r in recordings
        ]
    finally:
        app.close()


def test_a_version_saved_twice_is_refused_and_nothing_of_the_batch_stays(postgres_url: str) -> None:
    app = Notes(env=postgres_env(postgres_url))
    try:
        taken = Note("primeira")
        app.save(taken)
        again = app.repository.get(taken.id)
        again.amend("de um")
        rival = app.repository.get(taken.id)
        rival.amend("de outro")
        fresh = Note("no mesmo lote")
        app.save(again)
        with pytest.raises(IntegrityError):
            app.save(fresh, rival)
        assert app.repository.get(taken.id).text == "de um"
        assert fresh.id not in app.repository
    finally:
        app.close()


def test_a_save_sends_no_notify(postgres_url: str) -> None:
    """Nothing LISTENs: relays and views are nudged over NATS; a NOTIFY would queue every commit."""
    app = Notes(env=postgres_env(postgres_url))
    try:
        with psycopg.connect(postgres_url, autocommit=True) as listener:
            listener.execute(f"LISTEN {app.recorder.channel_name}")  # type: ignore[attr-defined]
            app.save(Note("silenciosa"))
            assert list(listener.notifies(timeout=0.5)) == []
    finally:
        app.close()

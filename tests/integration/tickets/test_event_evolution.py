"""How events evolve: class_version + upcast_vN_vM, on the real PostgreSQL event store.

The house rule (GUIDE.md): a stored event is never rewritten by a migration; a new class version
carries an upcaster that turns the old stored state into the new shape as it is read.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from plumbing.eventstore import postgres_env


class Contact(Aggregate):
    """A test aggregate whose creation event gained a field in version 2."""

    class Registered(Aggregate.Created):
        class_version = 2
        email: str
        language: str  # new in version 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            # Version 1 had no language: everyone was served in Portuguese then.
            state["language"] = "pt-BR"

    @event(Registered)
    def __init__(self, email: str, language: str) -> None:
        self.email = email
        self.language = language


class Contacts(Application[UUID]):
    name = "Contacts"


def test_an_event_stored_by_the_previous_version_is_upcast_when_read(postgres_url: str) -> None:
    writer = Contacts(env=postgres_env(postgres_url))
    contact = Contact("maria@example.com", "en")
    writer.save(contact)
    writer.close()

    # Make the stored event look exactly as version 1 wrote it: no language, no class_version.
    with psycopg.connect(postgres_url) as conn:
        [(state,)] = conn.execute("SELECT state FROM contacts_events").fetchall()
        old = json.loads(bytes(state))
        del old["language"], old["class_version"]
        conn.execute("UPDATE contacts_events SET state = %s", (json.dumps(old).encode(),))

    reader = Contacts(env=postgres_env(postgres_url))
    again = reader.repository.get(contact.id)
    assert (again.email, again.language) == ("maria@example.com", "pt-BR")
    reader.close()

"""Published schemas are the promise: they must be current, and never change incompatibly."""

import copy
from pathlib import Path
from typing import Any

from contracts import compat, docs, schemas
from contracts.subjects import DURABLES, REPLIES, ROUTES, STREAMS


def test_every_published_schema_is_current() -> None:
    published, current = schemas.published(), schemas.current()
    stale = [
        name for name in current if schemas.render(current[name]) != schemas.render(published.get(name, {}))
    ]
    assert not stale, f"run `make contracts` to export: {stale}"


def test_no_published_schema_was_removed_or_broken() -> None:
    published, current = schemas.published(), schemas.current()
    assert set(published) <= set(current), "a published message version disappeared"
    problems = {name: compat.breaking_changes(published[name], current[name]) for name in published}
    assert not any(problems.values()), problems


def test_messaging_document_is_current(repo_root: Path) -> None:
    assert (repo_root / "docs/messaging.md").read_text() == docs.render(), "run `make contracts`"


def test_every_message_has_a_route_or_is_a_reply_and_every_stream_is_used() -> None:
    routed = {route.message for route in ROUTES}
    assert {cls for cls in schemas.REGISTRY} == routed | set(REPLIES)
    assert not routed & set(REPLIES)
    assert len({route.subject for route in ROUTES}) == len(ROUTES)
    used = {route.stream for route in ROUTES if route.stream} | {durable.stream for durable in DURABLES}
    assert set(STREAMS) == used
    for route in ROUTES:
        assert route.subject.endswith(f".v{route.message.VERSION}") or route.subject.endswith(">")
        if route.kind in {"command", "query", "live"}:
            # Request-reply and live frames are not kept: no stream named, and none may capture them.
            assert route.stream is None
            assert {"command": ".cmd.", "query": ".qry.", "live": ".live."}[route.kind] in route.subject
            assert not any(_matches(p, route.subject) for stream in STREAMS for p in stream.subjects)
        else:
            assert route.stream is not None
            assert any(_matches(pattern, route.subject) for pattern in route.stream.subjects), route.subject


def _matches(pattern: str, subject: str) -> bool:
    pattern_tokens, subject_tokens = pattern.split("."), subject.split(".")
    for index, token in enumerate(pattern_tokens):
        if token == ">":
            return len(subject_tokens) > index
        if index >= len(subject_tokens) or token not in {"*", subject_tokens[index]}:
            return False
    return len(pattern_tokens) == len(subject_tokens)


def _opened() -> dict[str, Any]:
    return copy.deepcopy(schemas.current()["tickets.TicketOpened.v1.json"])


def test_adding_an_optional_field_is_compatible() -> None:
    new = _opened()
    new["properties"]["priority"] = {"type": "string", "default": "normal"}
    assert compat.breaking_changes(_opened(), new) == []


def test_removing_a_field_breaks() -> None:
    new = _opened()
    del new["properties"]["subject"]
    new["required"].remove("subject")
    assert "$.subject: field removed" in compat.breaking_changes(_opened(), new)


def test_changing_a_type_breaks() -> None:
    new = _opened()
    new["properties"]["number"] = {"type": "string"}
    assert "$.number: type changed" in compat.breaking_changes(_opened(), new)


def test_a_new_required_field_breaks() -> None:
    new = _opened()
    new["properties"]["priority"] = {"type": "string"}
    new["required"].append("priority")
    assert compat.breaking_changes(_opened(), new) == [
        "$.priority: new required field (old producers omit it)"
    ]


def test_changing_an_enum_breaks_both_ways() -> None:
    new = _opened()
    new["$defs"]["Channel"]["enum"] = ["portal", "email", "whatsapp"]
    problems = compat.breaking_changes(_opened(), new)
    assert "$.channel: enum value 'chat' removed" in problems
    assert "$.channel: enum value 'whatsapp' added (old consumers would reject it)" in problems


def test_changes_inside_optional_values_and_lists_break() -> None:
    requested = copy.deepcopy(schemas.current()["tickets.TicketRequested.v1.json"])
    new = copy.deepcopy(requested)
    # department: str | None — shorten its limit; attachment_ids: list[str] — change the item type
    new["properties"]["department"]["anyOf"][0]["maxLength"] = 10
    new["properties"]["attachment_ids"]["items"] = {"type": "integer"}
    problems = compat.breaking_changes(requested, new)
    assert "$.department: maxLength changed (500 → 10)" in problems
    assert "$.attachment_ids[]: type changed" in problems


def test_making_a_field_optional_or_nullable_breaks() -> None:
    new = _opened()
    new["properties"]["subject"] = {"anyOf": [new["properties"]["subject"], {"type": "null"}]}
    assert "$.subject: type changed" in compat.breaking_changes(_opened(), new)

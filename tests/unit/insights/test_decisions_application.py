"""The decisions application on eventsourcing's in-memory store: saves, no-ops, both sides of a merge."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from insights.decisions.application import Decisions
from insights.domain.decisions import DemandDecisions, Refused, decisions_id

AT = datetime(2026, 11, 2, 13, 0, tzinfo=UTC)
ANA = {"by_id": "a-1", "by_name": "Ana"}


@pytest.fixture
def app() -> Iterator[Decisions]:
    application = Decisions(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=lambda: AT)
    yield application
    application.close()


def stored(app: Decisions) -> list[tuple[str, str]]:
    """(demand id, event class) of everything recorded, in order."""
    ids = {decisions_id(d): d for d in ("a", "b", "c")}
    return [
        (ids[n.originator_id], n.topic.rsplit(".", 1)[-1])
        for n in app.notification_log.select(start=1, limit=10)
    ]


def test_decisions_are_saved_and_read_back(app: Decisions) -> None:
    named = app.rename("a", "Boleto", **ANA)
    assert (named.name, named.version) == ("Boleto", 2)
    app.send_to_development("a", "JIRA-9", **ANA)
    again = app.of("a")
    assert again.name == "Boleto" and again.development is not None and again.development.at == AT
    assert [d.kind for d in again.decisions] == ["named", "sent_to_development"]


def test_a_no_op_records_nothing_and_a_refusal_saves_nothing(app: Decisions) -> None:
    app.rename("a", "", **ANA)  # clearing a name it never had: not even the aggregate is created
    assert stored(app) == []
    with pytest.raises(Refused):
        app.withdraw_from_development("a", **ANA)
    assert stored(app) == []
    app.rename("a", "Boleto", **ANA)
    app.rename("a", " Boleto ", **ANA)  # a retry
    assert stored(app) == [("a", "Started"), ("a", "Named")]
    assert app.saves.position == 2


def test_a_merge_saves_both_demands_and_the_target_state_is_checked(app: Decisions) -> None:
    merged = app.merge("a", "b", **ANA)
    assert merged.merged_into == "b" and app.of("b").merged_from == ["a"]
    assert sorted(stored(app)) == [("a", "MergedInto"), ("a", "Started"), ("b", "Absorbed"), ("b", "Started")]
    assert app.merge("a", "b", **ANA).version == merged.version  # retried: nothing new
    with pytest.raises(Refused) as into_merged:
        app.merge("c", "a", **ANA)  # a is merged into b: no chains
    assert into_merged.value.reason == "demand_already_merged"
    with pytest.raises(Refused) as target_moves:
        app.merge("b", "c", **ANA)  # b holds a: it cannot move under c
    assert target_moves.value.reason == "demand_already_merged"
    with pytest.raises(Refused) as itself:
        app.merge("c", "c", **ANA)
    assert itself.value.reason == "demand_merge_itself"

    split = app.split("a", **ANA)
    assert split.merged_into is None and app.of("b").merged_from == []
    with pytest.raises(Refused) as not_merged:
        app.split("a", **ANA)
    assert not_merged.value.reason == "demand_not_merged"
    assert app.merge("b", "c", **ANA).merged_into == "c"


def test_a_save_that_loses_a_race_is_decided_again_on_the_newer_state(app: Decisions) -> None:
    app.merge("a", "b", **ANA)
    real_find = app._find
    raced = False

    def stale_once(demand_id: str) -> DemandDecisions | None:
        nonlocal raced
        found = real_find(demand_id)
        if demand_id == "b" and not raced:
            raced = True
            app.rename("b", "Outro agente", **ANA)  # someone else saves b after this load
        return found

    app._find = stale_once  # type: ignore[method-assign]
    split = app.split("a", **ANA)  # b loaded stale: its save fails, and the split is decided again
    assert raced and split.merged_into is None
    b = real_find("b")
    assert b is not None and (b.merged_from, b.name) == ([], "Outro agente")
    assert [d.kind for d in b.decisions] == ["merged", "named", "split"]

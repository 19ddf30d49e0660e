"""The rules of agents' decisions on a demand: names, merges without chains, development, no-ops."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from insights.domain.decisions import DemandDecisions, Refused, decision_of, decisions_id

AT = datetime(2026, 11, 2, 13, 0, tzinfo=UTC)
ANA = ("a-1", "Ana")


def demand(demand_id: str) -> DemandDecisions:
    return DemandDecisions(demand_id=demand_id)


def recorded(aggregate: DemandDecisions) -> list[str]:
    return [type(e).__name__ for e in aggregate.collect_events()]


def test_the_aggregate_id_derives_from_the_demand_id() -> None:
    assert demand("d1").id == decisions_id("d1") != decisions_id("d2")


def test_a_name_is_trimmed_kept_and_the_same_name_again_records_nothing() -> None:
    d = demand("d1")
    d.rename("  Boleto   em atraso ", *ANA, AT)
    assert d.name == "Boleto em atraso"
    assert recorded(d) == ["Started", "Named"]
    d.rename("Boleto em atraso", *ANA, AT)
    assert recorded(d) == []  # a retried request changes nothing
    d.rename("   ", *ANA, AT)
    assert d.name is None and recorded(d) == ["Named"]
    with pytest.raises(Refused) as too_long:
        d.rename("x" * 121, *ANA, AT)
    assert too_long.value.reason == "demand_name_too_long"
    assert [(e.kind, e.name, e.by_name) for e in d.decisions] == [
        ("named", "Boleto em atraso", "Ana"),
        ("named", None, "Ana"),
    ]


def test_a_merge_is_recorded_on_both_and_refused_into_itself() -> None:
    a, b = demand("a"), demand("b")
    with pytest.raises(Refused) as itself:
        a.merge_into(a, *ANA, AT)
    assert itself.value.reason == "demand_merge_itself"
    a.merge_into(b, *ANA, AT)
    assert (a.merged_into, b.merged_from) == ("b", ["a"])
    assert recorded(a) == ["Started", "MergedInto"] and recorded(b) == ["Started", "Absorbed"]
    a.merge_into(b, *ANA, AT)
    assert recorded(a) == [] and recorded(b) == [], "the same merge again is a retry"
    assert [(e.kind, e.other_id) for e in b.decisions] == [("merged", "a")]


@pytest.mark.parametrize(
    ("mover", "target"),
    [
        ("a", "c"),  # a is merged already (split it first)
        ("c", "a"),  # a is merged into b: it cannot be a target
        ("b", "c"),  # a is merged into b: b cannot move under c
    ],
)
def test_merges_never_chain(mover: str, target: str) -> None:
    demands = {name: demand(name) for name in "abc"}
    demands["a"].merge_into(demands["b"], *ANA, AT)
    with pytest.raises(Refused) as refused:
        demands[mover].merge_into(demands[target], *ANA, AT)
    assert refused.value.reason == "demand_already_merged"
    a, b, c = demands.values()
    assert (a.merged_into, b.merged_into, c.merged_into, c.merged_from) == ("b", None, None, [])


def test_a_split_undoes_the_merge_on_both_and_needs_a_merge() -> None:
    a, b, c = demand("a"), demand("b"), demand("c")
    with pytest.raises(Refused) as not_merged:
        a.split(None, *ANA, AT)
    assert not_merged.value.reason == "demand_not_merged"
    a.merge_into(b, *ANA, AT)
    a.split(b, *ANA, AT)
    assert (a.merged_into, b.merged_from) == (None, [])
    assert [(e.kind, e.other_id) for e in a.decisions] == [("merged", "b"), ("split", "b")]
    assert [(e.kind, e.other_id) for e in b.decisions] == [("merged", "a"), ("split", "a")]
    a.merge_into(c, *ANA, AT)  # split out, it may be merged elsewhere
    assert a.merged_into == "c"


def test_development_takes_a_note_and_a_withdrawal_needs_it_sent() -> None:
    d = demand("d1")
    with pytest.raises(Refused) as not_sent:
        d.withdraw_from_development(*ANA, AT)
    assert not_sent.value.reason == "demand_not_sent"
    for note, reason in (("  ", "demand_note_blank"), ("x" * 2001, "demand_note_too_long")):
        with pytest.raises(Refused) as bad:
            d.send_to_development(note, *ANA, AT)
        assert bad.value.reason == reason
    d.send_to_development(" JIRA-123 ", *ANA, AT)
    d.send_to_development("JIRA-123", "b-2", "Bia", AT)  # the same note: nothing new
    assert d.development is not None and (d.development.note, d.development.by_name) == ("JIRA-123", "Ana")
    d.send_to_development("JIRA-124", "b-2", "Bia", AT)
    assert d.development is not None and d.development.note == "JIRA-124"
    d.withdraw_from_development("b-2", "Bia", AT)
    assert d.development is None
    assert [e.kind for e in d.decisions] == [
        "sent_to_development",
        "sent_to_development",
        "development_withdrawn",
    ]


def test_every_stored_decision_reads_back_as_the_history_entry_the_aggregate_keeps() -> None:
    a, b = demand("a"), demand("b")
    a.rename("Senha", *ANA, AT)
    a.send_to_development("JIRA-1", *ANA, AT)
    a.withdraw_from_development(*ANA, AT)
    a.merge_into(b, *ANA, AT)
    a.split(b, *ANA, AT)
    for aggregate in (a, b):
        entries = [decision_of(e) for e in aggregate.collect_events()]
        assert entries[0] is None  # Started is no decision
        assert entries[1:] == aggregate.decisions

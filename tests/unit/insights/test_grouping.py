"""Recurring demands: the grouping finds the topics planted in a seeded pt-BR and English history.

Measures, per planted topic in one language (a "demand": "boleto" in pt-BR, "senha" in English, ...):
- recall: the share of its documents that its best group (the one holding most of them) holds;
- purity: the share of a group's documents that come from the demand most of them come from.
Noise (unrelated texts) should end in ``OTHER``.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from support.history import NOISE, START, History, history

from insights.grouping import OTHER, Document, Grouping, Known, documents, fit, group, match, trend

RECALL, MEAN_RECALL, PURITY, NOISE_IN_OTHER = 0.85, 0.95, 0.97, 0.9


def demands(made: History) -> dict[str, str]:
    """Each record's planted demand: its topic and language ("boleto/pt"), or NOISE."""
    return {k: NOISE if t == NOISE else f"{t}/{made.languages[k]}" for k, t in made.topics.items()}


def best_groups(grouping: Grouping, truth: dict[str, str]) -> dict[str, tuple[str, float]]:
    """Each planted demand's best group and its recall."""
    places: dict[str, Counter[str]] = defaultdict(Counter)
    for g in grouping.groups:
        for member in g.members:
            places[truth[member]][g.key] += 1
    best = {}
    for demand, counts in places.items():
        key, held = max(
            ((k, n) for k, n in counts.items() if k != OTHER), key=lambda kn: kn[1], default=("", 0)
        )
        best[demand] = (key, held / sum(counts.values()))
    return best


@pytest.fixture(scope="module")
def made() -> History:
    return history(8000, seed=11)


@pytest.fixture(scope="module")
def docs(made: History) -> list[Document]:
    return documents(made.tickets, made.chats)


@pytest.fixture(scope="module")
def grouping(docs: list[Document]) -> Grouping:
    return fit(docs)


def test_every_planted_demand_is_found_whole_in_one_group_of_its_own(
    made: History, grouping: Grouping
) -> None:
    truth = demands(made)
    best = best_groups(grouping, truth)
    planted = set(truth.values()) - {NOISE}
    assert len(planted) == 21  # 14 topics, 7 of them in both languages
    recalls = {demand: best[demand][1] for demand in planted}
    assert min(recalls.values()) >= RECALL, recalls
    assert sum(recalls.values()) / len(recalls) >= MEAN_RECALL, recalls
    assert len({best[d][0] for d in planted}) == len(planted), "two demands share a group"
    assert {g.key for g in grouping.groups} - {OTHER} == {best[d][0] for d in planted}, "a group of no demand"


def test_groups_are_pure_in_topic_and_language(made: History, grouping: Grouping) -> None:
    truth = demands(made)
    found = [g for g in grouping.groups if g.key != OTHER]
    held = 0
    for g in found:
        demand, count = Counter(truth[m] for m in g.members).most_common(1)[0]
        assert demand != NOISE and count / g.size >= PURITY, (g.key, demand, count / g.size)
        held += count
    assert held / sum(g.size for g in found) >= 0.99


def test_noise_goes_to_other(made: History, grouping: Grouping) -> None:
    truth = demands(made)
    other = next(g for g in grouping.groups if g.key == OTHER)
    noise = [k for k, d in truth.items() if d == NOISE]
    assert sum(truth[m] == NOISE for m in other.members) >= NOISE_IN_OTHER * len(noise)
    assert grouping.groups[-1] is other
    assert [g.size for g in grouping.groups[:-1]] == sorted(
        (g.size for g in grouping.groups[:-1]), reverse=True
    )


def test_typical_wording_comes_from_the_groups_own_demand(
    made: History, grouping: Grouping, docs: list[Document]
) -> None:
    truth, texts = demands(made), {d.key: d.text for d in docs}
    for g in grouping.groups[:-1]:
        demand = Counter(truth[m] for m in g.members).most_common(1)[0][0]
        assert 1 <= len(g.typical) <= 3 and len(set(g.typical)) == len(g.typical)
        own = {texts[m] for m in g.members if truth[m] == demand}
        assert set(g.typical) <= own, g.key
        assert texts[g.members[0]] == g.typical[0], "members come most typical first"


def test_terms_are_words_the_members_write_and_name_the_demand(
    grouping: Grouping, docs: list[Document]
) -> None:
    texts = {d.key: d.text.lower() for d in docs}
    for g in grouping.groups[:-1]:
        written = " ".join(texts[m] for m in g.members[:200])
        assert 3 <= len(g.terms) <= 8 and all(word in written for term in g.terms for word in term.split())
        assert g.key == "-".join(g.key.split("-")) and g.key.islower()
    terms = {g.key: set(g.terms) for g in grouping.groups}
    assert any({"boleto", "via"} <= t for t in terms.values())
    assert any({"nota", "fiscal"} <= t for t in terms.values())
    assert any({"password"} <= t for t in terms.values())
    assert any({"refund"} <= t for t in terms.values())


def test_counts_by_kind_and_department_add_up(
    made: History, grouping: Grouping, docs: list[Document]
) -> None:
    by_key = {d.key: d for d in docs}
    assert (
        sum(g.size for g in grouping.groups)
        == len(docs)
        == len({m for g in grouping.groups for m in g.members})
    )
    for g in grouping.groups:
        assert sum(g.kinds.values()) == sum(g.departments.values()) == g.size
        assert g.kinds == Counter(by_key[m].kind for m in g.members)
        assert g.departments == Counter(by_key[m].department for m in g.members)
    boleto = next(g for g in grouping.groups if "boleto" in g.terms)
    assert max(boleto.departments, key=lambda d: boleto.departments[d] or 0) == "Financeiro"
    assert boleto.kinds["ticket"] > 0 and boleto.kinds["chat"] > 0


def test_the_same_documents_in_another_order_group_the_same() -> None:
    made = history(2500, seed=4)
    docs = documents(made.tickets, made.chats)
    shuffled = random.Random(1).sample(docs, len(docs))
    assert [(g.key, g.members, g.terms, g.typical) for g in group(docs)] == [
        (g.key, g.members, g.terms, g.typical) for g in group(shuffled)
    ]


def test_assign_places_documents_as_the_grouping_did(docs: list[Document], grouping: Grouping) -> None:
    placed = grouping.assign(docs[:500])
    owner = {m: g.key for g in grouping.groups for m in g.members}
    assert placed == {d.key: owner[d.key] for d in docs[:500]}


def test_ids_survive_a_recomputation_with_a_tenth_more_documents(
    made: History, docs: list[Document], grouping: Grouping
) -> None:
    later = history(800, seed=12, start=START + timedelta(days=7), days=21)
    again = fit(docs + documents(later.tickets, later.chats))
    stored = [Known(g.key, g.terms, g.members) for g in grouping.groups if g.key != OTHER]
    matching = match(stored, again.groups)
    assert matching.new == () and matching.gone == () and matching.absorbed == {}
    truth = demands(made) | demands(later)
    before, after = best_groups(grouping, truth), best_groups(again, truth)
    for demand, (key, _) in before.items():
        if demand != NOISE:
            assert matching.kept[after[demand][0]] == key, demand  # the same demand keeps its id
    unchanged = sum(g.key in matching.kept.values() for g in again.groups) / len(matching.kept)
    assert unchanged >= 0.8  # keys alone are stable-ish; ``match`` makes them stable


def test_trend_counts_each_group_now_and_in_the_previous_period() -> None:
    first = history(5000, seed=21)
    second = history(5000, seed=22, start=START + timedelta(days=28), surge={"ssl": 3.0})
    grouping = fit(documents(second.tickets, second.chats))
    trends = {t.key: t for t in trend(grouping, documents(first.tickets, first.chats))}
    assert list(trends) == [g.key for g in grouping.groups]
    now, before = Counter(demands(second).values()), Counter(demands(first).values())
    best = best_groups(grouping, demands(second))
    for demand, (key, _) in best.items():
        if demand == NOISE or before[demand] < 100:  # the smaller ones are found, but too few to compare
            continue
        t = trends[key]
        assert t.now == pytest.approx(now[demand], rel=0.1), demand
        assert t.before == pytest.approx(before[demand], rel=0.1), demand
        assert t.now / t.before == pytest.approx(now[demand] / before[demand], rel=0.1), demand
    grew = sorted(trends.values(), key=lambda t: t.change or 0)[-2:]
    assert {best["ssl/pt"][0], best["ssl/en"][0]} == {t.key for t in grew}  # the surge stands out
    assert all((t.change or 0) > 1.2 for t in grew)
    assert sum(t.before for t in trends.values()) == 5000


def test_too_few_or_empty_documents_make_no_group() -> None:
    assert group([]) == []
    at = START
    few = [Document(f"k{i}", "chat", None, at, text) for i, text in enumerate(["Olá", "Bom dia!", "boleto"])]
    (only,) = group(few)
    assert only.key == OTHER and only.size == 3 and only.terms == () and only.typical == ()
    assert fit(few).assign(few) == dict.fromkeys(("k0", "k1", "k2"), OTHER)


def test_a_handful_of_same_questions_is_a_group_even_among_few_documents() -> None:
    at = START
    texts = [f"Não consigo gerar o boleto {n}" for n in range(6)] + ["Olá", "Site fora do ar", "Obrigado!"]
    docs = [Document(f"k{i}", "ticket", "Financeiro", at, text) for i, text in enumerate(texts)]
    boleto, other = group(docs)
    assert set(boleto.members) == {f"k{i}" for i in range(6)} and boleto.terms == ("boleto", "gerar")
    assert boleto.key == "boleto-gerar" and boleto.typical == tuple(texts[:3])
    assert other.key == OTHER and set(other.members) == {"k6", "k7", "k8"}

"""The seeded support history the grouping (and the figures) are tested on: plausible, varied, repeatable."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import timedelta

import pytest
from support.history import DEPARTMENTS, NOISE, START, TOPICS, History, history

STATUSES = {"waiting", "in_progress", "awaiting_customer", "finished"}


@pytest.fixture(scope="module")
def made() -> History:
    return history(6000, seed=5)


def test_the_same_seed_makes_the_same_history_and_another_seed_another() -> None:
    assert history(300, seed=9) == history(300, seed=9)
    assert history(300, seed=9).tickets != history(300, seed=10).tickets


def test_every_record_has_its_planted_topic_and_language(made: History) -> None:
    keys = [t.ticket_id for t in made.tickets] + [c.conversation_id for c in made.chats]
    assert len(keys) == len(set(keys)) == 6000
    assert set(made.topics) == set(made.languages) == set(keys)
    assert set(made.topics.values()) == {topic.name for topic in TOPICS} | {NOISE}
    assert set(made.languages.values()) == {"pt", "en"}


def test_topics_come_in_their_weights_with_a_tenth_of_noise(made: History) -> None:
    counts = Counter(made.topics.values())
    assert 0.08 < counts[NOISE] / 6000 < 0.12
    total = sum(topic.weight for topic in TOPICS)
    for topic in TOPICS:
        assert counts[topic.name] / 6000 == pytest.approx(0.9 * topic.weight / total, rel=0.25), topic.name


def test_a_surge_multiplies_a_topics_weight() -> None:
    calm, surging = history(4000, seed=1), history(4000, seed=1, surge={"ssl": 3.0})
    before, after = Counter(calm.topics.values())["ssl"], Counter(surging.topics.values())["ssl"]
    assert 2.2 < after / before < 3.2  # three times the weight, among others that did not grow


def test_languages_follow_each_topics_share_of_english(made: History) -> None:
    for topic in TOPICS:
        keys = [k for k, name in made.topics.items() if name == topic.name]
        english = sum(made.languages[k] == "en" for k in keys) / len(keys)
        assert english == pytest.approx(topic.english, abs=0.07), topic.name


def test_wording_varies_inside_a_topic(made: History) -> None:
    texts = {t.ticket_id: t.text for t in made.tickets} | {c.conversation_id: c.text for c in made.chats}
    for topic in TOPICS:
        mine = [texts[k] for k, name in made.topics.items() if name == topic.name]
        assert len(set(mine)) > 0.9 * len(mine), topic.name
        openings = {text.split("\n")[0].lower() for text in mine}
        assert len(openings) >= 10, topic.name  # subjects differ, not one template per topic


def test_tickets_have_consistent_lives(made: History) -> None:
    assert len(made.tickets) > 3000
    for ticket in made.tickets:
        spans = ticket.spans
        assert spans[0].status == "waiting" and spans[0].start == ticket.opened_at
        assert {span.status for span in spans} <= STATUSES
        assert all(a.end == b.start and a.start <= a.end for a, b in itertools.pairwise(spans))
        assert spans[-1].end is None
        assert ticket.finished_at == (spans[-1].start if spans[-1].status == "finished" else None)
        assert (ticket.first_response_at is None) == (ticket.first_responder is None)
        assert ticket.first_response_at is None or ticket.first_response_at > ticket.opened_at
        assert ticket.department in (*DEPARTMENTS, None)
        assert ticket.channel in ("portal", "email", "chat")
        assert ticket.text.startswith(ticket.subject + "\n")
        assert START <= ticket.opened_at < START + timedelta(days=29)
    assert Counter(t.spans[-1].status for t in made.tickets).keys() == STATUSES


def test_chats_have_consistent_lives(made: History) -> None:
    assert len(made.chats) > 1800
    for chat in made.chats:
        assert chat.department in DEPARTMENTS
        assert chat.text.startswith(chat.question + "\n")
        if chat.accepted_at is None:
            assert chat.outcome == "abandoned" and chat.agent_id is None and chat.waited_s is None
        else:
            assert chat.waited_s == pytest.approx((chat.accepted_at - chat.requested_at).total_seconds())
            assert chat.agent_id is not None
        assert (chat.closed_at is None) == (chat.outcome is None)
        assert chat.closed_at is None or chat.closed_at >= chat.requested_at
        assert chat.messages >= 1
    assert Counter(c.outcome for c in made.chats).keys() == {"closed", "abandoned", None}


def test_the_window_and_the_start_are_chosen() -> None:
    later = START + timedelta(days=28)
    made = history(500, seed=2, start=later, days=7)
    moments = [t.opened_at for t in made.tickets] + [c.requested_at for c in made.chats]
    assert later <= min(moments) and max(moments) < later + timedelta(days=8)

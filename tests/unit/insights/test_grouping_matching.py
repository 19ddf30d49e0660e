"""Group ids across recomputations: the stored groups' ids settle on the new groups by the documented rule."""

from __future__ import annotations

import random
from collections.abc import Iterable

from insights.grouping import OTHER, Group, Known, Matching, match


def made(key: str, members: Iterable[int], terms: tuple[str, ...] = ("boleto", "via")) -> Group:
    keys = tuple(f"d{n}" for n in members)
    return Group(key, keys, terms, (), {"ticket": len(keys)}, {None: len(keys)})


def known(id_: str, members: Iterable[int], terms: tuple[str, ...] = ("boleto", "via")) -> Known:
    return Known(id_, terms, {f"d{n}" for n in members})


def test_a_group_that_grew_keeps_its_id_and_a_group_of_new_documents_is_new() -> None:
    stored = [known("id-boleto", range(100)), known("id-senha", range(100, 150), ("senha", "login"))]
    current = [
        made("boleto-via", range(110)),
        made("senha-login", range(100, 160), ("senha", "login")),
        made("site-fora", range(200, 230), ("site", "fora")),
    ]
    assert match(stored, current) == Matching(
        {"boleto-via": "id-boleto", "senha-login": "id-senha"}, ("site-fora",), {}, ()
    )


def test_keys_do_not_matter_only_members_and_terms() -> None:
    stored = [known("a", range(50)), known("b", range(50, 100), ("senha",))]
    current = [made("b", range(50)), made("a", range(50, 100), ("senha",))]  # the keys swapped
    assert match(stored, current).kept == {"b": "a", "a": "b"}


def test_a_split_keeps_the_id_on_the_larger_part() -> None:
    stored = [known("id", range(100))]
    current = [made("big", range(60)), made("small", range(60, 100))]
    assert match(stored, current) == Matching({"big": "id"}, ("small",), {}, ())


def test_two_groups_seen_as_one_keep_the_id_of_the_closer_and_the_other_is_absorbed() -> None:
    stored = [known("first", range(40)), known("second", range(40, 100))]
    current = [made("both", range(100))]
    assert match(stored, current) == Matching({"both": "second"}, (), {"first": "both"}, ())


def test_without_shared_documents_half_the_terms_decide() -> None:
    stored = [
        known("boleto", range(100), ("boleto", "via", "pagamento", "bancário")),
        known("senha", range(100, 200), ("senha", "login", "usuário", "esqueci")),
    ]
    current = [
        made("boleto-via", range(500, 600), ("boleto", "via", "código", "barras")),  # 2 of 4 terms
        made("site-fora", range(600, 700), ("site", "fora", "ar", "senha")),  # 1 of 4
    ]
    assert match(stored, current) == Matching({"boleto-via": "boleto"}, ("site-fora",), {}, ("senha",))


def test_shared_documents_outweigh_shared_terms() -> None:
    stored = [known("id", range(100), ("boleto", "via"))]
    current = [
        made("by-terms", range(500, 600), ("boleto", "via")),
        made("by-members", range(80), ("nota", "fiscal")),
    ]
    assert match(stored, current).kept == {"by-members": "id"}


def test_a_few_shared_documents_are_not_the_same_demand() -> None:
    stored = [known("id", range(100), ("boleto",))]
    current = [made("other-demand", range(90, 200), ("senha",))]  # 10 of the smaller 100
    assert match(stored, current) == Matching({}, ("other-demand",), {}, ("id",))


def test_other_is_never_matched() -> None:
    stored = [known("id", range(100))]
    assert match(stored, [made(OTHER, range(100))]) == Matching({}, (), {}, ("id",))


def test_plain_tuples_are_accepted_and_the_order_of_either_side_does_not_matter() -> None:
    stored = [
        ("a", ("boleto",), [f"d{n}" for n in range(50)]),
        ("b", ("senha",), [f"d{n}" for n in range(50, 90)]),
    ]
    current = [made("x", range(45)), made("y", range(45, 90)), made("z", range(300, 340))]
    expected = match(stored, current)
    assert expected.kept == {"x": "a", "y": "b"}
    for seed in range(5):
        rng = random.Random(seed)
        again = match(rng.sample(stored, 2), rng.sample(current, 3))
        assert (again.kept, set(again.new), again.absorbed, again.gone) == (
            expected.kept,
            set(expected.new),
            expected.absorbed,
            expected.gone,
        )
